import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { nowIso } from '../common.js';
import type { CreateUserInput, UpdateUserInput, UserRecord } from '../store.js';
import type { Connection } from './connection.js';
import { toUser, type UserRow } from './rows.js';

// Usernames compare case-insensitively (users_username_nocase); an exact-case match wins if an
// old file holds case-duplicates.
const BY_NAME = 'SELECT * FROM users WHERE username = ? COLLATE NOCASE ORDER BY username = ? DESC, id LIMIT 1';
const BY_ID = 'SELECT * FROM users WHERE id = ?';
const INSERT = `INSERT INTO users (username, email, hashed_password, is_active, is_admin, created_at, updated_at)
  VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING *`;

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`Invalid ${field}: it must be a non-empty string.`);
  }
  return value;
}

function optionalEmail(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ValidationError('Invalid email: it must be a string or null.');
  return value;
}

function userId(value: unknown): number | undefined {
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}

function findByName(conn: Connection, username: string): UserRow | undefined {
  return conn.statement(BY_NAME).get(username, username) as UserRow | undefined;
}

function insertUser(conn: Connection, input: CreateUserInput): UserRecord {
  const username = requireText(input.username, 'username');
  const hashedPassword = requireText(input.hashedPassword, 'hashedPassword');
  const email = optionalEmail(input.email);
  if (input.isAdmin !== undefined && typeof input.isAdmin !== 'boolean') {
    throw new ValidationError('Invalid isAdmin: it must be true or false.');
  }
  if (findByName(conn, username)) throw new ConflictError(`Username "${username}" already exists.`);
  const now = nowIso();
  try {
    const row = conn.statement(INSERT).get(username, email, hashedPassword, input.isAdmin ? 1 : 0, now, now);
    return toUser(row as UserRow);
  } catch (error) {
    // Another writer cannot slip in (we hold the write lock), but the unique index is the last word.
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new ConflictError(`Username "${username}" already exists.`, { cause: error });
    }
    throw error;
  }
}

/** All users ordered by username (case-insensitive). */
export function listUsers(conn: Connection): Promise<UserRecord[]> {
  return conn.read(() =>
    (conn.statement('SELECT * FROM users ORDER BY username COLLATE NOCASE, id').all() as UserRow[]).map(toUser),
  );
}

/** Number of users, from the primary key index. */
export function userCount(conn: Connection): Promise<number> {
  return conn.read(() => (conn.statement('SELECT count(*) AS n FROM users').get() as { n: number }).n);
}

/** Case-insensitive lookup by name. */
export function getUser(conn: Connection, username: string): Promise<UserRecord | undefined> {
  return conn.read(() => {
    if (typeof username !== 'string' || username === '') return undefined;
    const row = findByName(conn, username);
    return row ? toUser(row) : undefined;
  });
}

/** Lookup by the integer primary key. */
export function getUserById(conn: Connection, id: number): Promise<UserRecord | undefined> {
  return conn.read(() => {
    const key = userId(id);
    const row = key === undefined ? undefined : (conn.statement(BY_ID).get(key) as UserRow | undefined);
    return row ? toUser(row) : undefined;
  });
}

/** Inserts a user; ConflictError if the name exists in any letter case. */
export function createUser(conn: Connection, input: CreateUserInput): Promise<UserRecord> {
  return conn.write(() => insertUser(conn, input));
}

const UPDATABLE: Record<keyof UpdateUserInput, { column: string; encode: (value: unknown) => unknown }> = {
  email: { column: 'email', encode: optionalEmail },
  hashedPassword: { column: 'hashed_password', encode: (value) => requireText(value, 'hashedPassword') },
  isActive: { column: 'is_active', encode: (value) => boolColumn(value, 'isActive') },
  isAdmin: { column: 'is_admin', encode: (value) => boolColumn(value, 'isAdmin') },
};

function boolColumn(value: unknown, field: string): number {
  if (typeof value !== 'boolean') throw new ValidationError(`Invalid ${field}: it must be true or false.`);
  return value ? 1 : 0;
}

/** Changes only the given fields of an existing user (never creates one); NotFoundError otherwise. */
export async function updateUser(conn: Connection, id: number, changes: UpdateUserInput): Promise<UserRecord> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(UPDATABLE) as (keyof UpdateUserInput)[]) {
    if (changes?.[key] === undefined) continue;
    const field = UPDATABLE[key];
    sets.push(`${field.column} = ?`);
    values.push(field.encode(changes[key]));
  }
  return conn.write(() => {
    const key = userId(id);
    if (sets.length === 0) {
      const current = key === undefined ? undefined : (conn.statement(BY_ID).get(key) as UserRow | undefined);
      if (!current) throw new NotFoundError(`User ${id} not found.`);
      return toUser(current);
    }
    // One statement per set of changed columns, so the statement cache holds at most 16 of them.
    const sql = `UPDATE users SET ${[...sets, 'updated_at = ?', 'version = version + 1'].join(', ')} WHERE id = ? RETURNING *`;
    const row = key === undefined ? undefined : (conn.statement(sql).get(...values, nowIso(), key) as UserRow);
    if (!row) throw new NotFoundError(`User ${id} not found.`);
    return toUser(row);
  });
}

/** Deletes a user by id; NotFoundError if there is none. Guarding the last admin is the caller's job. */
export function deleteUser(conn: Connection, id: number): Promise<void> {
  return conn.write(() => {
    const key = userId(id);
    const changes = key === undefined ? 0 : conn.statement('DELETE FROM users WHERE id = ?').run(key).changes;
    if (changes === 0) throw new NotFoundError(`User ${id} not found.`);
  });
}

/** Creates the admin user if no user of that name exists; an existing one is returned untouched. */
export function ensureAdminUser(
  conn: Connection,
  input: { hashedPassword: string; email?: string | null; username?: string },
): Promise<{ user: UserRecord; created: boolean }> {
  return conn.write(() => {
    const username = input.username ?? 'admin';
    const existing = findByName(conn, requireText(username, 'username'));
    if (existing) return { user: toUser(existing), created: false };
    const user = insertUser(conn, {
      username,
      hashedPassword: input.hashedPassword,
      email: input.email ?? null,
      isAdmin: true,
    });
    return { user, created: true };
  });
}
