import { ValidationError } from '../errors.js';
import type { ThrottleRule, ThrottleState } from './store.js';

/**
 * The login-throttle arithmetic both adapters share, so SQLite and DynamoDB count alike: how many
 * failures a counter still remembers, how long it makes the next attempt wait, and when it holds
 * nothing worth keeping.
 */

/** A counter that was never written. */
export const EMPTY_STATE: ThrottleState = { failures: 0, lastFailureAt: 0, nextAttemptAt: 0 };

/** DynamoDB keys may be 2,048 bytes; the prefix and the client address take the rest. */
const MAX_KEY_BYTES = 1_500;

/** A counter key, checked: a non-empty string of at most 1,500 bytes. */
export function throttleKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ValidationError('Invalid throttle key: it must be a non-empty string.');
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new ValidationError(`Invalid throttle key: use at most ${MAX_KEY_BYTES} bytes.`);
  }
  return key;
}

/** Milliseconds of a Date, refusing an invalid one (a broken clock must not reset every counter). */
export function epochMs(now: Date): number {
  const at = now.getTime();
  if (!Number.isFinite(at)) throw new ValidationError('Invalid clock: `now` must be a valid Date.');
  return at;
}

/** The failures a counter still remembers at `at`: one is forgotten per `forgetOneEveryMs` since the last. */
export function remembered(state: ThrottleState, rule: ThrottleRule, at: number): number {
  const forgotten = Math.floor(Math.max(0, at - state.lastFailureAt) / rule.forgetOneEveryMs);
  return Math.max(0, state.failures - forgotten);
}

/** The wait after `failures` remembered failures: none within the free ones, then doubling to the cap. */
export function delayAfter(failures: number, rule: ThrottleRule): number {
  if (failures < rule.free) return 0;
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.min(failures - rule.free, 40));
}

/** Milliseconds until the counter lets an attempt through (0: now). */
export function waitMs(state: ThrottleState, at: number): number {
  return Math.max(0, state.nextAttemptAt - at);
}

/** The counter once a failure at `at` is counted on it. */
export function afterFailure(state: ThrottleState, rule: ThrottleRule, at: number): ThrottleState {
  const failures = remembered(state, rule, at) + 1;
  return { failures, lastFailureAt: at, nextAttemptAt: at + delayAfter(failures, rule) };
}

/**
 * The counter once one failure is taken back (the attempt turned out to be the right password):
 * one failure fewer, and the wait it caused, when it was the latest, undone.
 */
export function afterTakeBack(state: ThrottleState, rule: ThrottleRule): ThrottleState {
  if (state.failures <= 0) return state;
  const failures = state.failures - 1;
  const nextAttemptAt = Math.min(state.nextAttemptAt, state.lastFailureAt + delayAfter(failures, rule));
  return { failures, lastFailureAt: state.lastFailureAt, nextAttemptAt };
}

/** When the counter has forgotten everything and makes no one wait: it may be deleted then. */
export function expiresAt(state: ThrottleState, rule: ThrottleRule): number {
  return Math.max(state.nextAttemptAt, state.lastFailureAt + state.failures * rule.forgetOneEveryMs);
}

/** The longest wait among counters; 0 when none makes the attempt wait. */
export function longestWait(states: readonly ThrottleState[], at: number): number {
  return Math.max(0, ...states.map((state) => waitMs(state, at)));
}
