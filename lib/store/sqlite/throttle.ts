import { failureAccount, failureWindows, loginFailures } from '../login-failures.js';
import type { LoginFailures } from '../store.js';
import type { Connection } from './connection.js';

// `window` is an SQL keyword (window functions), hence the quotes.
const COUNTS = `SELECT "window" AS kind, failures FROM login_failures
  WHERE username = ? AND (("window" = 'minute' AND start = ?) OR ("window" = 'hour' AND start = ?))`;
const INCREMENT = `INSERT INTO login_failures (username, "window", start, failures) VALUES (?, ?, ?, 1)
  ON CONFLICT (username, "window", start) DO UPDATE SET failures = failures + 1 RETURNING failures`;
const PRUNE = `DELETE FROM login_failures
  WHERE ("window" = 'minute' AND start < ?) OR ("window" = 'hour' AND start < ?)`;
const CLEAR = 'DELETE FROM login_failures WHERE username = ?';

/** Counts of the current windows (WAL: a read that never waits for writers). */
export async function getLoginFailures(conn: Connection, username: string, now = new Date()): Promise<LoginFailures> {
  const account = failureAccount(username);
  const windows = failureWindows(now);
  const rows = await conn.read(
    () => conn.statement(COUNTS).all(account, windows.minute, windows.hour) as { kind: string; failures: number }[],
  );
  const count = (kind: string) => rows.find((row) => row.kind === kind)?.failures ?? 0;
  return loginFailures(now, windows, count('minute'), count('hour'));
}

/**
 * Adds one failure to both current windows with an UPSERT each, in one BEGIN IMMEDIATE
 * transaction (writers from other processes queue, so no update is lost), and deletes every
 * account's ended windows on the way, which keeps the table as small as the last hour's failures.
 */
export async function recordLoginFailure(conn: Connection, username: string, now = new Date()): Promise<LoginFailures> {
  const account = failureAccount(username);
  const windows = failureWindows(now);
  const [inMinute, inHour] = await conn.write(() => {
    conn.statement(PRUNE).run(windows.minute, windows.hour);
    const bump = (kind: string, start: number) =>
      (conn.statement(INCREMENT).get(account, kind, start) as { failures: number }).failures;
    return [bump('minute', windows.minute), bump('hour', windows.hour)] as const;
  });
  return loginFailures(now, windows, inMinute, inHour);
}

/** Deletes the account's counters, every window. */
export async function clearLoginFailures(conn: Connection, username: string): Promise<void> {
  const account = failureAccount(username);
  await conn.write(() => conn.statement(CLEAR).run(account));
}
