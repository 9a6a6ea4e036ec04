import {
  afterFailure,
  afterTakeBack,
  EMPTY_STATE,
  epochMs,
  expiresAt,
  longestWait,
  throttleKey,
} from '../login-failures.js';
import type { AttemptVerdict, ThrottleCounter, ThrottleState } from '../store.js';
import type { Connection } from './connection.js';

/**
 * Login-throttle counters in the `login_throttle` table. Counting is one BEGIN IMMEDIATE
 * transaction (read every counter, decide, write them all), so writers from other processes on
 * the same file queue behind it and no attempt slips past a check made before it was counted.
 */

const READ = `SELECT failures, last_failure_at AS lastFailureAt, next_attempt_at AS nextAttemptAt
  FROM login_throttle WHERE key = ?`;
const WRITE = `INSERT INTO login_throttle (key, failures, last_failure_at, next_attempt_at, expires_at)
  VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
    next_attempt_at = excluded.next_attempt_at, expires_at = excluded.expires_at`;
const PRUNE = 'DELETE FROM login_throttle WHERE expires_at < ?';
const CLEAR = 'DELETE FROM login_throttle WHERE key = ?';
const TAKE_BACK = 'UPDATE login_throttle SET failures = ?, next_attempt_at = ? WHERE key = ?';

function readState(conn: Connection, key: string): ThrottleState {
  return (conn.statement(READ).get(key) as ThrottleState | undefined) ?? EMPTY_STATE;
}

/** The stored state of each key, zeros for keys never counted (WAL: never waits for writers). */
export async function getLoginFailures(
  conn: Connection,
  keys: readonly string[],
  _now?: Date,
): Promise<Record<string, ThrottleState>> {
  const checked = keys.map(throttleKey);
  return conn.read(() => Object.fromEntries(checked.map((key) => [key, readState(conn, key)])));
}

/**
 * Refuses with the longest wait when a counter must still wait (nothing counted); otherwise
 * counts the failure on every counter. Drained counters of every account are deleted on the way,
 * which keeps the table as small as the failures still remembered.
 */
export async function recordLoginFailure(
  conn: Connection,
  counters: readonly ThrottleCounter[],
  now = new Date(),
): Promise<AttemptVerdict> {
  const at = epochMs(now);
  for (const counter of counters) throttleKey(counter.key);
  return conn.write((): AttemptVerdict => {
    conn.statement(PRUNE).run(at);
    const states = counters.map((counter) => readState(conn, counter.key));
    const wait = longestWait(states, at);
    if (wait > 0) return { allowed: false, retryAfterMs: wait };
    counters.forEach((counter, i) => {
      const next = afterFailure(states[i] as ThrottleState, counter.rule, at);
      conn
        .statement(WRITE)
        .run(counter.key, next.failures, next.lastFailureAt, next.nextAttemptAt, expiresAt(next, counter.rule));
    });
    return { allowed: true };
  });
}

/** Deletes the `clear` counters and takes one failure back from each `uncount` one, in one transaction. */
export async function clearLoginFailures(
  conn: Connection,
  input: { clear: readonly string[]; uncount: readonly ThrottleCounter[] },
): Promise<void> {
  const clear = input.clear.map(throttleKey);
  for (const counter of input.uncount) throttleKey(counter.key);
  await conn.write(() => {
    for (const key of clear) conn.statement(CLEAR).run(key);
    for (const counter of input.uncount) {
      const state = readState(conn, counter.key);
      if (state.failures <= 0) continue;
      const next = afterTakeBack(state, counter.rule);
      conn.statement(TAKE_BACK).run(next.failures, next.nextAttemptAt, counter.key);
    }
  });
}
