import type { Deps } from '../runtime.js';
import { bootstrapAdmin } from './bootstrap.js';
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

const adminChecks = new WeakMap<Deps, Promise<void>>();

/**
 * Deployed, the admin user is created by the first login of a container from ADMIN_PASSWORD or
 * the ADMIN_PASSWORD_SECRET_ARN secret (local mode does it at start, see lib/local/start.ts).
 * A failure is logged and retried by a later container; it never blocks logins.
 */
export function ensureAdminOnce(deps: Deps): Promise<void> {
  if (deps.config.APP_ENV === 'local') return Promise.resolve();
  let check = adminChecks.get(deps);
  if (!check) {
    check = bootstrapAdmin(deps.config, deps.store).then(
      (result) => {
        if (result.created) deps.logger.info('Admin user created', { username: result.username });
      },
      (error: unknown) => deps.logger.error('Admin bootstrap failed', { error }),
    );
    adminChecks.set(deps, check);
  }
  return check;
}
