import { TooManyRequestsError } from '../errors.js';

/**
 * Failed-login throttle per account: at most `perMinute` failures in any minute and `perHour` in
 * any hour; windows slide, so an account is never locked for good (at worst an hour). Async so a
 * shared, store-backed implementation can replace the in-memory one without touching callers.
 */
export interface LoginThrottle {
  /** TooManyRequestsError (429, with Retry-After) when the account is over a limit. */
  assertAllowed(account: string): Promise<void>;
  recordFailure(account: string): Promise<void>;
  /** Called after a successful login. */
  reset(account: string): Promise<void>;
}

export interface ThrottleLimits {
  perMinute: number;
  perHour: number;
  /** Accounts tracked at once; the oldest entries are dropped past it, bounding memory. */
  maxAccounts: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perMinute: 10, perHour: 100, maxAccounts: 10_000 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * In-memory throttle: counts live in this process (one Lambda container, or the local server). A
 * distributed attacker can multiply the budget by the number of warm containers; the limits keep
 * each container's share small, and argon2's cost bounds the guessing rate further.
 */
export function createMemoryThrottle(
  limits: ThrottleLimits = DEFAULT_LIMITS,
  now: () => number = Date.now,
): LoginThrottle {
  const failures = new Map<string, number[]>();
  const recent = (account: string): number[] => {
    const cutoff = now() - HOUR;
    const list = (failures.get(account) ?? []).filter((at) => at > cutoff);
    if (list.length === 0) failures.delete(account);
    else failures.set(account, list);
    return list;
  };
  return {
    async assertAllowed(account) {
      const list = recent(account);
      const t = now();
      const lastMinute = list.filter((at) => at > t - MINUTE);
      let retryAt: number | undefined;
      if (lastMinute.length >= limits.perMinute) retryAt = lastMinute[lastMinute.length - limits.perMinute]! + MINUTE;
      if (list.length >= limits.perHour) retryAt = Math.max(retryAt ?? 0, list[list.length - limits.perHour]! + HOUR);
      if (retryAt !== undefined) {
        const seconds = Math.max(1, Math.ceil((retryAt - t) / 1000));
        throw new TooManyRequestsError(
          `Too many failed logins for this account; try again in ${seconds} seconds.`,
          seconds,
        );
      }
    },
    async recordFailure(account) {
      const list = recent(account);
      list.push(now());
      failures.delete(account);
      failures.set(account, list.slice(-limits.perHour));
      while (failures.size > limits.maxAccounts) {
        const oldest = failures.keys().next().value;
        if (oldest === undefined) break;
        failures.delete(oldest);
      }
    },
    async reset(account) {
      failures.delete(account);
    },
  };
}
