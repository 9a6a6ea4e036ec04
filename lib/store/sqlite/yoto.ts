import { LockLostError, NotFoundError } from '../../errors.js';
import { nowIso } from '../common.js';
import type { SaveYotoTokensInput, YotoLockOptions, YotoTokens } from '../store.js';
import { checkYotoLock, checkYotoOwner, checkYotoTokens } from '../yoto.js';
import type { Connection } from './connection.js';
import { toUser, type UserRow } from './rows.js';

/**
 * The Yoto OAuth tokens (the Python service's `yoto_*` columns) and their refresh lease (columns
 * added by migration 7). Each call is one IMMEDIATE transaction, so the lease check and the write
 * it guards cannot interleave with another process's.
 */

const BY_NAME = 'SELECT * FROM users WHERE username = ? COLLATE NOCASE ORDER BY username = ? DESC, id LIMIT 1';

function find(conn: Connection, username: string): UserRow | undefined {
  return conn.statement(BY_NAME).get(username, username) as UserRow | undefined;
}

function required(conn: Connection, username: string): UserRow {
  const row = find(conn, username);
  if (!row) throw new NotFoundError(`No user named "${username}".`);
  return row;
}

/** Stores the tokens; with `lockOwner` only while that owner holds the lease (LockLostError). */
export async function saveYotoTokens(conn: Connection, username: string, input: SaveYotoTokensInput): Promise<void> {
  const tokens = checkYotoTokens(username, input);
  return conn.write(() => {
    const row = required(conn, username);
    if (tokens.lockOwner !== undefined && row.yoto_token_lock_owner !== tokens.lockOwner) {
      throw new LockLostError(
        `The Yoto token lease of "${username}" is no longer held by ${tokens.lockOwner}; reload the tokens and retry.`,
      );
    }
    const sets = ['yoto_refresh_token = ?', 'updated_at = ?'];
    const values: unknown[] = [tokens.refreshToken, nowIso()];
    if (tokens.accessToken !== undefined) {
      sets.push('yoto_access_token = ?');
      values.push(tokens.accessToken);
    }
    if (tokens.expiresAt !== undefined) {
      sets.push('yoto_token_expires_at = ?');
      values.push(tokens.expiresAt);
    }
    if (tokens.releaseLock) sets.push('yoto_token_lock_owner = NULL', 'yoto_token_lock_expires_at = NULL');
    conn.statement(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...values, row.id);
  });
}

/** The tokens, or undefined when the user or its refresh token is missing. */
export async function loadYotoTokens(conn: Connection, username: string): Promise<YotoTokens | undefined> {
  return conn.read(() => {
    const row = find(conn, username);
    const user = row && toUser(row);
    if (!user?.yotoRefreshToken) return undefined;
    return {
      refreshToken: user.yotoRefreshToken,
      accessToken: user.yotoAccessToken,
      expiresAt: user.yotoTokenExpiresAt,
    };
  });
}

/** Takes the lease if it is free, expired (ISO 8601 expiry before now) or already `owner`'s (extended). */
export async function acquireYotoTokenLock(
  conn: Connection,
  username: string,
  owner: string,
  options?: YotoLockOptions,
): Promise<boolean> {
  const { now, expiresAt } = checkYotoLock(username, owner, options);
  return conn.write(() => {
    const row = required(conn, username);
    const held = row.yoto_token_lock_owner;
    const expiry = row.yoto_token_lock_expires_at;
    if (held !== null && held !== owner && expiry !== null && !(expiry < now)) return false;
    conn
      .statement('UPDATE users SET yoto_token_lock_owner = ?, yoto_token_lock_expires_at = ? WHERE id = ?')
      .run(owner, expiresAt, row.id);
    return true;
  });
}

/** Releases the lease if `owner` holds it; true when it did. */
export async function releaseYotoTokenLock(conn: Connection, username: string, owner: string): Promise<boolean> {
  checkYotoOwner(username, owner);
  return conn.write(() => {
    const row = find(conn, username);
    if (!row || row.yoto_token_lock_owner !== owner) return false;
    conn
      .statement('UPDATE users SET yoto_token_lock_owner = NULL, yoto_token_lock_expires_at = NULL WHERE id = ?')
      .run(row.id);
    return true;
  });
}
