import { isIPv4, isIPv6 } from 'node:net';
import { TooManyRequestsError } from '../errors.js';
import type { Store, ThrottleCounter, ThrottleRule } from '../store/store.js';

/**
 * The failed-login throttle. Every attempt is counted, before its password is checked, on three
 * counters in the store (shared by every Lambda container and every local process on one
 * database):
 * - the account at this client address: the guesser's own budget, slowed fastest;
 * - the client address, whatever username it names: password spraying from one address;
 * - the account, from every address: a guesser spread over many addresses.
 * Each counter allows a few free failures, then makes the next attempt wait, the wait doubling with
 * every further failure up to a cap, and forgets one failure per interval of its own: a delay that
 * grows, never a lock until the end of the hour. The account-wide counter forgets faster than one
 * address can ever feed it (its per-account-at-address counter caps that address at a few
 * attempts an hour), so an attacker at one address cannot make the real user wait elsewhere.
 * Unknown usernames are counted exactly like known ones, so a 429 says nothing about who exists.
 */

export interface LoginAttempt {
  /** The username as typed; counted lower-cased, as logins match names. */
  username: string;
  /** The client address (API Gateway's `requestContext.http.sourceIp`); absent counts as `unknown`. */
  address?: string | undefined;
}

export interface LoginThrottle {
  /**
   * Called before the password is checked: TooManyRequestsError (429, with Retry-After) when a
   * counter still makes this attempt wait; otherwise counts it as a failure up front, atomically,
   * so concurrent guesses cannot all pass a check made before any of them was counted.
   */
  beginAttempt(attempt: LoginAttempt): Promise<void>;
  /**
   * Called once the password is right: forgets the account's failures at this address and takes
   * this attempt back from the other two counters (a right password on one account must not hand
   * an address a fresh budget for guessing others).
   */
  succeeded(attempt: LoginAttempt): Promise<void>;
}

export interface ThrottlePolicy {
  accountAtAddress: ThrottleRule;
  address: ThrottleRule;
  account: ThrottleRule;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/**
 * One address gets 5 free guesses at an account, then waits of 1 s, 2 s, 4 s … up to 15 min: about
 * 20 guesses in its first hour and 4 an hour after that. It may name 20 usernames before its own
 * waits begin (one forgotten every 3 min). An account takes 40 failures from all addresses
 * together before anyone waits, and forgets one every 90 s: at most about 90 failures an hour
 * however many addresses guess, while one address (≤ 20 in an hour) never fills it.
 */
export const DEFAULT_POLICY: ThrottlePolicy = {
  accountAtAddress: { free: 5, baseDelayMs: SECOND, maxDelayMs: 15 * MINUTE, forgetOneEveryMs: 15 * MINUTE },
  address: { free: 20, baseDelayMs: SECOND, maxDelayMs: 15 * MINUTE, forgetOneEveryMs: 3 * MINUTE },
  account: { free: 40, baseDelayMs: SECOND, maxDelayMs: 15 * MINUTE, forgetOneEveryMs: 90 * SECOND },
};

/** The part of the Store the throttle uses. */
export type FailureCounters = Pick<Store, 'loginFailures' | 'recordLoginFailure' | 'clearLoginFailures'>;

/**
 * The address a counter is kept for: IPv4 as is (also when IPv4-mapped, `::ffff:1.2.3.4`), IPv6
 * by its /64 network (one subscriber's share, so rotating through it gains nothing), anything else
 * lower-cased, and nothing at all as `unknown`.
 */
export function clientAddress(sourceIp: string | undefined): string {
  const ip = (sourceIp ?? '').trim().toLowerCase();
  if (ip === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The counters of one attempt, keyed `pair:<address>|<name>`, `address:<address>`, `account:<name>`. */
export function throttleCounters(attempt: LoginAttempt, policy: ThrottlePolicy = DEFAULT_POLICY): ThrottleCounter[] {
  const account = attempt.username.toLowerCase();
  const address = clientAddress(attempt.address);
  return [
    { key: `pair:${address}|${account}`, rule: policy.accountAtAddress },
    { key: `address:${address}`, rule: policy.address },
    { key: `account:${account}`, rule: policy.account },
  ];
}

function tooMany(retryAfterMs: number): TooManyRequestsError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new TooManyRequestsError(`Too many failed logins; try again in ${seconds} seconds.`, seconds);
}

/**
 * The throttle on the store's counters. An attempt costs one consistent read of its three
 * counters and, when let through, one conditional write each (SQLite: one transaction); a refused
 * attempt counts nothing, so retrying while told to wait never makes the wait longer.
 */
export function createStoreThrottle(
  counters: FailureCounters,
  policy: ThrottlePolicy = DEFAULT_POLICY,
  now: () => Date = () => new Date(),
): LoginThrottle {
  return {
    async beginAttempt(attempt) {
      const verdict = await counters.recordLoginFailure(throttleCounters(attempt, policy), now());
      if (!verdict.allowed) throw tooMany(verdict.retryAfterMs);
    },
    async succeeded(attempt) {
      const [pair, ...others] = throttleCounters(attempt, policy) as [ThrottleCounter, ...ThrottleCounter[]];
      await counters.clearLoginFailures({ clear: [pair.key], uncount: others }, now());
    },
  };
}
