import { ValidationError } from '../errors.js';
import type { LoginFailures } from './store.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The fixed windows a moment falls in, shared by both adapters so they count alike. */
export interface FailureWindows {
  /** Epoch minute (ms since the epoch / 60,000, rounded down). */
  minute: number;
  /** Epoch hour. */
  hour: number;
  /** When each window ends, in epoch milliseconds. */
  minuteEndsAt: number;
  hourEndsAt: number;
}

/** The current minute and hour windows at `now` (UTC, fixed: 12:07:00–12:07:59, 12:00–12:59). */
export function failureWindows(now: Date = new Date()): FailureWindows {
  const at = now.getTime();
  if (!Number.isFinite(at)) throw new ValidationError('Invalid clock: `now` must be a valid Date.');
  const minute = Math.floor(at / MINUTE_MS);
  const hour = Math.floor(at / HOUR_MS);
  return { minute, hour, minuteEndsAt: (minute + 1) * MINUTE_MS, hourEndsAt: (hour + 1) * HOUR_MS };
}

/** The counts of the windows at `now`, with the seconds left in each (at least 1). */
export function loginFailures(now: Date, windows: FailureWindows, minute: number, hour: number): LoginFailures {
  const left = (endsAt: number) => Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000));
  return {
    minute,
    hour,
    minuteEndsInSeconds: left(windows.minuteEndsAt),
    hourEndsInSeconds: left(windows.hourEndsAt),
  };
}

/**
 * The account a failure counts against: the lower-cased username, as logins match names. Any
 * non-empty name up to 1,024 bytes counts, known or not (unknown names are throttled too).
 */
export function failureAccount(username: string): string {
  if (typeof username !== 'string' || username.length === 0) {
    throw new ValidationError('Invalid username: it must be a non-empty string.');
  }
  if (Buffer.byteLength(username, 'utf8') > 1024) {
    throw new ValidationError('Invalid username: use at most 1,024 bytes.');
  }
  return username.toLowerCase();
}
