import { ConflictError, LastAdminError, NotFoundError, ValidationError } from '../../errors.js';
import { nowIso } from '../common.js';
import type { CreateUserInput, UpdateUserInput, UserRecord } from '../store.js';
import type { Connection } from './connection.js';
import { toUser, type UserRow } from './rows.js';

// Usernames compare case-insensitively (users_username_nocase); an exact-case match wins if an
// old file holds case-duplicates.
const BY_NAME = 'SELECT * FROM users WHERE username = ? COLLATE NOCASE ORDER BY username = ? DESC, id LIMIT 1';
const BY_ID = 'SELECT * FROM users WHERE id = ?';
const INSERT = `INSERT INTO users (id, username, email, hashed_password, is_active, is_admin, created_at, updated_at)
  VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING *`;
/** The next id: above every id ever handed out (the high-water mark of migration 8) and every row. */
const NEXT_ID = `SELECT max(coalesce((SELECT value FROM store_counters WHERE name = 'user_id'), 0),
  coalesce((SELECT max(id) FROM users), 0)) + 1 AS id`;
const RAISE_MARK = `INSERT INTO store_counters (name, value) VALUES ('user_id', ?)
  ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`;

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
    const { id } = conn.statement(NEXT_ID).get() as { id: number };
    const row = conn.statement(INSERT).get(id, username, email, hashedPassword, input.isAdmin ? 1 : 0, now, now);
    conn.statement(RAISE_MARK).run(id);
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
    const row = findById(conn, id);
    return row ? toUser(row) : undefined;
  });
}

/** Inserts a user; ConflictError if the name exists in any letter case. */
export function createUser(conn: Connection, input: CreateUserInput): Promise<UserRecord> {
  return conn.write(() => insertUser(conn, input));
}

const UPDATABLE: Record<
  Exclude<keyof UpdateUserInput, 'revokeSessions'>,
  { column: string; encode: (value: unknown) => unknown }
> = {
  email: { column: 'email', encode: optionalEmail },
  hashedPassword: { column: 'hashed_password', encode: (value) => requireText(value, 'hashedPassword') },
  isActive: { column: 'is_active', encode: (value) => boolColumn(value, 'isActive') },
  isAdmin: { column: 'is_admin', encode: (value) => boolColumn(value, 'isAdmin') },
};

function boolColumn(value: unknown, field: string): number {
  if (typeof value !== 'boolean') throw new ValidationError(`Invalid ${field}: it must be true or false.`);
  return value ? 1 : 0;
}

const isActiveAdmin = (user: UserRecord) => user.isAdmin && user.isActive;

/**
 * Refuses (LastAdminError) a change that leaves no active admin besides `id`: counted inside the
 * caller's IMMEDIATE transaction, so two racing demotions serialize and the second sees the first.
 * Counted in JavaScript with the read path's boolean rules (legacy rows may hold 'true' or NULL).
 */
function assertAnotherAdmin(conn: Connection, id: number): void {
  const others = (conn.statement('SELECT * FROM users WHERE id <> ?').all(id) as UserRow[]).map(toUser);
  if (!others.some(isActiveAdmin)) throw new LastAdminError();
}

function findById(conn: Connection, id: number): UserRow | undefined {
  const key = userId(id);
  return key === undefined ? undefined : (conn.statement(BY_ID).get(key) as UserRow | undefined);
}

/**
 * Changes only the given fields of an existing user (never creates one); NotFoundError otherwise.
 * `revokeSessions` bumps the session version in the same UPDATE; taking away the last active admin
 * is a LastAdminError and writes nothing.
 */
export async function updateUser(conn: Connection, id: number, changes: UpdateUserInput): Promise<UserRecord> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(UPDATABLE) as (keyof typeof UPDATABLE)[]) {
    if (changes?.[key] === undefined) continue;
    const field = UPDATABLE[key];
    sets.push(`${field.column} = ?`);
    values.push(field.encode(changes[key]));
  }
  if (changes?.revokeSessions) sets.push('session_version = session_version + 1');
  return conn.write(() => {
    const current = findById(conn, id);
    if (!current) throw new NotFoundError(`User ${id} not found.`);
    if (sets.length === 0) return toUser(current);
    const before = toUser(current);
    const after = (changes.isAdmin ?? before.isAdmin) && (changes.isActive ?? before.isActive);
    if (isActiveAdmin(before) && !after) assertAnotherAdmin(conn, current.id);
    // One statement per set of changed columns, so the statement cache holds at most 32 of them.
    const sql = `UPDATE users SET ${[...sets, 'updated_at = ?', 'version = version + 1'].join(', ')} WHERE id = ? RETURNING *`;
    return toUser(conn.statement(sql).get(...values, nowIso(), current.id) as UserRow);
  });
}

/**
 * Deletes a user by id; NotFoundError if there is none, LastAdminError for the last active admin.
 * Deleting an admin closes the admin bootstrap, as on DynamoDB: it is never re-created.
 */
export async function deleteUser(conn: Connection, id: number): Promise<void> {
  return conn.write(() => {
    const current = findById(conn, id);
    if (!current) throw new NotFoundError(`User ${id} not found.`);
    const user = toUser(current);
    if (isActiveAdmin(user)) assertAnotherAdmin(conn, current.id);
    if (user.isAdmin) markBootstrapped(conn);
    conn.statement('DELETE FROM users WHERE id = ?').run(current.id);
  });
}

/** Bumps the session version of the user of this name; unknown names are a no-op. */
export async function revokeSessions(conn: Connection, username: string): Promise<void> {
  const name = requireText(username, 'username');
  return conn.write(() => {
    const row = findByName(conn, name);
    if (row) conn.statement('UPDATE users SET session_version = session_version + 1 WHERE id = ?').run(row.id);
  });
}

const BOOTSTRAP = 'admin_bootstrap';

function bootstrapped(conn: Connection): boolean {
  return conn.statement('SELECT 1 FROM store_markers WHERE name = ?').get(BOOTSTRAP) !== undefined;
}

function markBootstrapped(conn: Connection): void {
  conn.statement('INSERT OR IGNORE INTO store_markers (name, created_at) VALUES (?, ?)').run(BOOTSTRAP, nowIso());
}

/** Whether the admin bootstrap already happened on this database. */
export async function adminBootstrapped(conn: Connection): Promise<boolean> {
  return conn.read(() => bootstrapped(conn));
}

/**
 * Bootstraps the admin once per database, in one transaction: unless the marker says it happened,
 * creates the user if no user of that name exists (an existing one is left untouched) and sets the
 * marker. After that it never creates it again, even once deleted.
 */
export async function ensureAdminUser(
  conn: Connection,
  input: { hashedPassword: string; email?: string | null; username?: string },
): Promise<{ user?: UserRecord; created: boolean }> {
  return conn.write(() => {
    const username = requireText(input.username ?? 'admin', 'username');
    const existing = findByName(conn, username);
    if (bootstrapped(conn) || existing) {
      markBootstrapped(conn);
      return existing ? { user: toUser(existing), created: false } : { created: false };
    }
    const user = insertUser(conn, {
      username,
      hashedPassword: input.hashedPassword,
      email: input.email ?? null,
      isAdmin: true,
    });
    markBootstrapped(conn);
    return { user, created: true };
  });
}
