import { TooManyRequestsError } from '../errors.js';
import type { LoginFailures, Store } from '../store/store.js';

/**
 * Failed-login throttle per account: at most `perMinute` failures in a clock minute and `perHour`
 * in a clock hour. The counts live in the store, so every Lambda container (and every local
 * process on one database) shares one budget per account; the windows are fixed, so an account
 * is never locked for good (at worst until the hour ends).
 */
export interface LoginThrottle {
  /**
   * Called before the password is checked. TooManyRequestsError (429, with Retry-After) when the
   * account is over a limit; otherwise counts this attempt as a failure up front, atomically, so
   * concurrent guesses cannot all pass a check made before any of them was counted.
   */
  beginAttempt(account: string): Promise<void>;
  /** Called once the password is right: forgets the account's failures, this attempt's included. */
  succeeded(account: string): Promise<void>;
}

export interface ThrottleLimits {
  perMinute: number;
  perHour: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perMinute: 10, perHour: 100 };

/** The part of the Store the throttle uses. */
export type FailureCounters = Pick<Store, 'loginFailures' | 'recordLoginFailure' | 'clearLoginFailures'>;

/**
 * Seconds until every window at or over its limit has ended (the Retry-After); 0 when none is.
 * `strict` counts only windows over the limit, for counts that include the attempt being judged.
 */
export function retryAfterSeconds(failures: LoginFailures, limits: ThrottleLimits, strict = false): number {
  const reached = (count: number, limit: number) => (strict ? count > limit : count >= limit);
  let seconds = 0;
  if (reached(failures.minute, limits.perMinute)) seconds = failures.minuteEndsInSeconds;
  if (reached(failures.hour, limits.perHour)) seconds = Math.max(seconds, failures.hourEndsInSeconds);
  return seconds;
}

function tooMany(seconds: number): TooManyRequestsError {
  return new TooManyRequestsError(`Too many failed logins for this account; try again in ${seconds} seconds.`, seconds);
}

/**
 * The throttle on the store's failure counters. An attempt costs one read (an account already over
 * a limit is refused there and adds nothing, so retrying while blocked never extends the block)
 * and one atomic increment; a right password then clears the counters. An unknown username is
 * counted like a known one, so the throttle reveals nothing either.
 */
export function createStoreThrottle(
  counters: FailureCounters,
  limits: ThrottleLimits = DEFAULT_LIMITS,
  now: () => Date = () => new Date(),
): LoginThrottle {
  return {
    async beginAttempt(account) {
      const before = retryAfterSeconds(await counters.loginFailures(account, now()), limits);
      if (before > 0) throw tooMany(before);
      // Concurrent attempts that all passed the read are ordered by the increment: only those
      // within the limit go on to a password check.
      const after = retryAfterSeconds(await counters.recordLoginFailure(account, now()), limits, true);
      if (after > 0) throw tooMany(after);
    },
    async succeeded(account) {
      await counters.clearLoginFailures(account, now());
    },
  };
}
