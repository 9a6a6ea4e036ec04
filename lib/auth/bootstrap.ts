import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { built } from '../runtime/ports.js';
import type { Deps } from '../runtime.js';
import type { Store } from '../store/store.js';
import { hashPassword } from './passwords.js';
import { readSecretString } from './secrets.js';

export interface AdminBootstrap {
  username: string;
  created: boolean;
  /** Set only when this call generated the password: show it once, it is stored only as a hash. */
  generatedPassword?: string;
}

/**
 * Bootstraps the admin user, once per table or database: the store keeps a marker, so an admin
 * deleted later is never re-created at a cold start. Its password comes from ADMIN_PASSWORD, else
 * the secret ADMIN_PASSWORD_SECRET_ARN, else (local mode only) is generated here and returned
 * once; there is never a default. An existing admin is left unchanged (and closes the bootstrap).
 */
export async function bootstrapAdmin(
  config: Pick<Config, 'ADMIN_USERNAME' | 'ADMIN_PASSWORD' | 'ADMIN_PASSWORD_SECRET_ARN' | 'APP_ENV'>,
  store: Store,
  readSecret: (id: string) => Promise<string> = readSecretString,
): Promise<AdminBootstrap> {
  const username = config.ADMIN_USERNAME;
  if (await store.adminBootstrapped()) return { username, created: false };
  let password = config.ADMIN_PASSWORD;
  let generatedPassword: string | undefined;
  if (password === undefined && config.ADMIN_PASSWORD_SECRET_ARN !== undefined) {
    password = await readSecret(config.ADMIN_PASSWORD_SECRET_ARN);
  }
  if (password === undefined) {
    if (config.APP_ENV !== 'local') return { username, created: false };
    generatedPassword = randomBytes(18).toString('base64url');
    password = generatedPassword;
  }
  const result = await store.ensureAdminUser({ username, hashedPassword: await hashPassword(password) });
  return { username, created: result.created, ...(result.created && generatedPassword ? { generatedPassword } : {}) };
}

/**
 * Deployed, the admin user is created by the first login of a container from ADMIN_PASSWORD or
 * the ADMIN_PASSWORD_SECRET_ARN secret (local mode does it at start, see lib/local/start.ts).
 * A failure is logged and retried by the next login (the port mechanism forgets a failed build);
 * it never blocks logins. (Here, not in ./context.ts, which the router imports: functions that
 * only check tokens never load argon2.)
 */
export function ensureAdminOnce(deps: Deps): Promise<void> {
  if (deps.config.APP_ENV === 'local') return Promise.resolve();
  return built(deps, 'adminBootstrap', async (d) => {
    const result = await bootstrapAdmin(d.config, d.store);
    if (result.created) d.logger.info('Admin user created', { username: result.username });
  }).catch((error: unknown) => deps.logger.error('Admin bootstrap failed', { error }));
}
