import { built } from '../runtime/ports.js';
import type { Deps } from '../runtime.js';
import type { TokenService } from './tokens.js';

/**
 * The token service of these deps: the installed one, else one built from the configured key
 * once per container by the composition root's port mechanism (the Secrets Manager read happens
 * on the first request that needs it; a failed read is retried by the next request).
 */
export function tokenService(deps: Deps): Promise<TokenService> {
  if (deps.tokens) return Promise.resolve(deps.tokens);
  return built(deps, 'tokens', async (d) => {
    const { createTokenService } = await import('./tokens.js');
    return createTokenService(await jwtKey(d));
  });
}

/** The configured JWT key, read once per container (a Secrets Manager read when deployed). */
export function jwtKey(deps: Deps): Promise<Uint8Array> {
  return built(deps, 'jwtKey', async (d) => (await import('./keys.js')).loadJwtKey(d.config));
}
