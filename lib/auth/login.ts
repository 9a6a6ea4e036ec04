import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppMetrics } from '../observability.js';
import type { Store, UserRecord } from '../store/store.js';
import { hashPassword } from './passwords.js';
import type { LoginThrottle } from './throttle.js';
import { defaultLoginTiming, type LoginTiming } from './timing.js';
import type { TokenService } from './tokens.js';

export const BAD_CREDENTIALS = 'Incorrect username or password';

export interface LoginDeps {
  store: Store;
  tokens: TokenService;
  throttle: LoginThrottle;
  /** Equal time for every failed login; the process-wide one when absent. */
  timing?: LoginTiming;
  logger?: { warn(message: string, ...extra: unknown[]): void };
  metrics?: Pick<AppMetrics, 'loginFailed'>;
}

/**
 * Checks credentials and issues a token. Every attempt counts against the throttle (the account,
 * the client address, and the two together) before the password is checked, and a right password
 * takes it back. An unknown user and a
 * wrong password give the same error after the same time, whatever the account's hash family (a
 * dummy verify, then the wait of ./timing.ts; the same throttle writes). The inactive check comes
 * after the password so it reveals nothing to a guesser. Any hash but current argon2id is
 * re-hashed on success; that changes the stored hash only, never the sessions.
 */
export async function login(
  input: { username: string; password: string; address?: string | undefined },
  deps: LoginDeps,
): Promise<{ user: UserRecord; token: string }> {
  const startedAt = performance.now();
  const attempt = { username: input.username, address: input.address };
  // The lookup overlaps the throttle's round trips; a refused attempt ignores its result.
  const [, user] = await Promise.all([deps.throttle.beginAttempt(attempt), deps.store.getUser(input.username)]);
  const timing = deps.timing ?? defaultLoginTiming();
  const { ok, needsRehash } = await timing.verify(user?.hashedPassword, input.password);
  if (!user || !ok) {
    deps.metrics?.loginFailed();
    await timing.padFailure(startedAt);
    throw new UnauthorizedError(BAD_CREDENTIALS);
  }
  // Not a guess: the password was right, even if the account turns out to be disabled.
  await deps.throttle.succeeded(attempt);
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
