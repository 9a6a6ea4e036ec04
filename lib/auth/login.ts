import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppMetrics } from '../observability.js';
import type { Store, UserRecord } from '../store/store.js';
import { hashPassword, verifyDummy, verifyPassword } from './passwords.js';
import type { LoginThrottle } from './throttle.js';
import type { TokenService } from './tokens.js';

export const BAD_CREDENTIALS = 'Incorrect username or password';

export interface LoginDeps {
  store: Store;
  tokens: TokenService;
  throttle: LoginThrottle;
  logger?: { warn(message: string, ...extra: unknown[]): void };
  metrics?: Pick<AppMetrics, 'loginFailed'>;
}

/**
 * Checks credentials and issues a token. Every attempt counts against the account's throttle
 * before the password is checked, and a right password clears the count. An unknown user and a
 * wrong password give the same error after the same work (a dummy argon2 verify, the same
 * throttle writes). The inactive check comes after the password so it reveals nothing to a
 * guesser. Legacy or weak hashes are re-hashed as argon2id on success.
 */
export async function login(
  input: { username: string; password: string },
  deps: LoginDeps,
): Promise<{ user: UserRecord; token: string }> {
  const account = input.username.toLowerCase();
  // The lookup overlaps the throttle's round trips; a refused attempt ignores its result.
  const [, user] = await Promise.all([deps.throttle.beginAttempt(account), deps.store.getUser(input.username)]);
  let ok = false;
  let needsRehash = false;
  if (user) ({ ok, needsRehash } = await verifyPassword(user.hashedPassword, input.password));
  else await verifyDummy(input.password);
  if (!user || !ok) {
    deps.metrics?.loginFailed();
    throw new UnauthorizedError(BAD_CREDENTIALS);
  }
  // Not a guess: the password was right, even if the account turns out to be disabled.
  await deps.throttle.succeeded(account);
  if (!user.isActive) throw new ForbiddenError('This account is disabled; ask an administrator to re-enable it.');
  let current = user;
  if (needsRehash) {
    try {
      current = await deps.store.updateUser(user.userId, { hashedPassword: await hashPassword(input.password) });
    } catch (error) {
      // The login itself is valid; the upgrade is retried on the next one.
      deps.logger?.warn('Password re-hash failed', { userId: user.userId, error });
    }
  }
  const token = await deps.tokens.sign({
    userId: current.userId,
    username: current.username,
    sessionVersion: current.sessionVersion,
  });
  return { user: current, token };
}
