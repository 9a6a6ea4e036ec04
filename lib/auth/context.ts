import type { Deps } from '../runtime.js';
import { loadJwtKey } from './keys.js';
import { createStoreThrottle, type LoginThrottle } from './throttle.js';
import { createTokenService, type TokenService } from './tokens.js';

const tokenServices = new WeakMap<Deps, Promise<TokenService>>();

/**
 * The token service of these deps: the injected one, else one built from the configured key,
 * loaded once per container (the Secrets Manager read happens on the first request that needs it).
 */
export function tokenService(deps: Deps): Promise<TokenService> {
  if (deps.tokens) return Promise.resolve(deps.tokens);
  let pending = tokenServices.get(deps);
  if (!pending) {
    pending = loadJwtKey(deps.config).then((key) => createTokenService(key));
    // A failed load (e.g. the secret is unreachable) is retried on the next request, not cached.
    pending.catch(() => tokenServices.delete(deps));
    tokenServices.set(deps, pending);
  }
  return pending;
}

/** The failed-login throttle of these deps: on the store's shared counters unless injected. */
export function loginThrottle(deps: Deps): LoginThrottle {
  deps.loginThrottle ??= createStoreThrottle(deps.store);
  return deps.loginThrottle;
}
