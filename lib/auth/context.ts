import { built } from '../runtime/ports.js';
import type { Deps } from '../runtime.js';
import type { LoginThrottle } from './throttle.js';
import type { TokenService } from './tokens.js';

/**
 * The token service of these deps: the installed one, else one built from the configured key
 * once per container by the composition root's port mechanism (the Secrets Manager read happens
 * on the first request that needs it; a failed read is retried by the next request).
 */
export function tokenService(deps: Deps): Promise<TokenService> {
  if (deps.tokens) return Promise.resolve(deps.tokens);
  return built(deps, 'tokens', async (d) => {
    const [{ loadJwtKey }, { createTokenService }] = await Promise.all([import('./keys.js'), import('./tokens.js')]);
    return createTokenService(await loadJwtKey(d.config));
  });
}

/** The failed-login throttle of these deps: on the store's shared counters unless installed. */
export function loginThrottle(deps: Deps): LoginThrottle {
  return deps.loginThrottle;
}
