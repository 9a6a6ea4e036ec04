import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ValidationError } from '../errors.js';
import { legacyStatusError, normalizeStatus, type TranscriptStatus } from '../model/status.js';

/**
 * Reads the Python service's SQLite database (SQLAlchemy schema) read-only, in id order and in
 * pages, and converts its rows to the table's attribute values: SQLAlchemy datetimes
 * ('YYYY-MM-DD HH:MM:SS[.ffffff]', naive UTC) become ISO 8601 UTC, 0/1 become booleans, legacy
 * statuses become `failed` with the old value kept in `transcript_error`.
 */

export interface UserRow {
  id: number;
  user_id: number;
  username: string;
  email?: string;
  hashed_password: string;
  is_active: boolean;
  is_admin: boolean;
  created_at: string;
  updated_at: string;
  yoto_access_token?: string;
  yoto_refresh_token?: string;
  yoto_token_expires_at?: string;
}

export interface AudioRow {
  id: number;
  filename: string;
  size: number;
  duration?: number;
  transcript?: string;
  transcript_status: TranscriptStatus;
  transcript_error?: string;
  created_at: string;
  updated_at: string;
  transcribed_at?: string;
}

/** A row that could not be converted (bad datetime, empty name…), with the reason. */
export interface RejectedRow {
  entity: 'user' | 'audio';
  id: number;
  reason: string;
}

export type Converted<T> = { ok: true; row: T } | { ok: false; rejected: RejectedRow };

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a SQLAlchemy/ISO datetime to epoch milliseconds; a value without a zone is UTC (how the
 * Python service stored `datetime.utcnow()`). Returns undefined when it is not a datetime.
 */
export function parseDatetime(value: string): number | undefined {
  const m = DATETIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  // Date.UTC rolls 2024-02-31 over to March: reject instead of silently shifting.
  if (Number.isNaN(epoch) || new Date(epoch).getUTCDate() !== Number(d)) return undefined;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    epoch -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return epoch;
}

/** SQLAlchemy datetime (or ISO string, or epoch number) → ISO 8601 UTC; null stays undefined. */
export function toIso(value: unknown, column: string): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return new Date(value > 1e11 ? value : value * 1000).toISOString();
  const epoch = typeof value === 'string' ? parseDatetime(value) : undefined;
  if (epoch === undefined) {
    throw new ValidationError(
      `${column} is not a datetime: ${JSON.stringify(value)} (expected 'YYYY-MM-DD HH:MM:SS[.ffffff]')`,
    );
  }
  return new Date(epoch).toISOString();
}

const text = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);
const flag = (value: unknown, fallback: boolean): boolean =>
  value === null || value === undefined ? fallback : value === 1 || value === true || value === '1' || value === 'true';

/** Converts one `users` row; the SQLite id becomes `user_id`. */
export function convertUser(raw: Record<string, unknown>): Converted<UserRow> {
  const id = Number(raw.id);
  try {
    const username = text(raw.username)?.trim();
    if (!username) throw new ValidationError('username is empty');
    const hashed = text(raw.hashed_password);
    if (!hashed) throw new ValidationError('hashed_password is empty');
    const created = toIso(raw.created_at, 'created_at') ?? new Date(0).toISOString();
    const row: UserRow = {
      id,
      user_id: id,
      username,
      hashed_password: hashed,
      is_active: flag(raw.is_active, true),
      is_admin: flag(raw.is_admin, false),
      created_at: created,
      updated_at: toIso(raw.updated_at, 'updated_at') ?? created,
    };
    const optional = {
      email: text(raw.email),
      yoto_access_token: text(raw.yoto_access_token),
      yoto_refresh_token: text(raw.yoto_refresh_token),
      yoto_token_expires_at: toIso(raw.yoto_token_expires_at, 'yoto_token_expires_at'),
    };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(row, { [key]: value });
    return { ok: true, row };
  } catch (error) {
    return { ok: false, rejected: { entity: 'user', id, reason: (error as Error).message } };
  }
}

/** Converts one `audio_files` row; legacy statuses become `failed`, the old value kept in the error. */
export function convertAudio(raw: Record<string, unknown>): Converted<AudioRow> {
  const id = Number(raw.id);
  try {
    const filename = text(raw.filename);
    if (!filename) throw new ValidationError('filename is empty');
    const { status, legacy } = normalizeStatus(raw.transcript_status ?? 'pending');
    const error = text(raw.transcript_error);
    const created = toIso(raw.created_at, 'created_at') ?? new Date(0).toISOString();
    const row: AudioRow = {
      id,
      filename,
      size: raw.size === null || raw.size === undefined ? 0 : Number(raw.size),
      transcript_status: status,
      created_at: created,
      updated_at: toIso(raw.updated_at, 'updated_at') ?? created,
    };
    const duration = raw.duration === null || raw.duration === undefined ? undefined : Math.round(Number(raw.duration));
    const optional = {
      duration: Number.isFinite(duration) ? duration : undefined,
      transcript: text(raw.transcript),
      transcript_error: legacy ? legacyStatusError(legacy, error) : error,
      transcribed_at: toIso(raw.transcribed_at, 'transcribed_at'),
    };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(row, { [key]: value });
    if (!Number.isFinite(row.size)) throw new ValidationError(`size is not a number: ${JSON.stringify(raw.size)}`);
    return { ok: true, row };
  } catch (error) {
    return { ok: false, rejected: { entity: 'audio', id, reason: (error as Error).message } };
  }
}

const TABLES = { user: 'users', audio: 'audio_files' } as const;

export interface PythonDb {
  count(entity: 'user' | 'audio'): number;
  /** Highest id (0 for an empty table). */
  maxId(entity: 'user' | 'audio'): number;
  /** Up to `limit` raw rows with id > afterId, in id order. */
  page(entity: 'user' | 'audio', afterId: number, limit: number): Record<string, unknown>[];
  /** The raw rows with these ids that still exist, in id order. */
  byIds(entity: 'user' | 'audio', ids: readonly number[]): Record<string, unknown>[];
  close(): void;
}

/** Opens the Python service's database read-only; a missing file or table is a clear ValidationError. */
export function openPythonDb(path: string): PythonDb {
  if (!existsSync(path)) {
    throw new ValidationError(
      `SQLite file not found: ${path}. Pass --from with the path of the Python service's database.`,
    );
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new ValidationError(`Cannot open ${path} as SQLite: ${(error as Error).message}`);
  }
  const present = new Set(
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name),
  );
  for (const table of Object.values(TABLES)) {
    if (!present.has(table)) {
      db.close();
      throw new ValidationError(
        `${path} has no "${table}" table: it is not a database of the Python service (expected tables users and audio_files).`,
      );
    }
  }
  const pages = {
    user: db.prepare(`SELECT * FROM users WHERE id > ? ORDER BY id LIMIT ?`),
    audio: db.prepare(`SELECT * FROM audio_files WHERE id > ? ORDER BY id LIMIT ?`),
  };
  return {
    count: (entity) => (db.prepare(`SELECT COUNT(*) AS n FROM ${TABLES[entity]}`).get() as { n: number }).n,
    maxId: (entity) => (db.prepare(`SELECT COALESCE(MAX(id), 0) AS n FROM ${TABLES[entity]}`).get() as { n: number }).n,
    page: (entity, afterId, limit) => pages[entity].all(afterId, limit) as Record<string, unknown>[],
    byIds: (entity, ids) =>
      ids.length === 0
        ? []
        : (db
            .prepare(`SELECT * FROM ${TABLES[entity]} WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY id`)
            .all(...ids) as Record<string, unknown>[]),
    close: () => db.close(),
  };
}

/**
 * Usernames are unique in SQLite case-sensitively but keys are lower-cased: `Alice` and `alice`
 * would land on one item. The lowest id keeps the key; the others fail with a reason.
 */
export function caseDuplicateUsers(db: PythonDb): Map<number, string> {
  const firstByName = new Map<string, { id: number; name: string }>();
  const duplicates = new Map<number, string>();
  let after = 0;
  for (let page = db.page('user', 0, 1000); page.length > 0; page = db.page('user', after, 1000)) {
    for (const raw of page) {
      const id = Number(raw.id);
      const name = String(raw.username ?? '');
      const first = firstByName.get(name.toLowerCase());
      if (first) {
        duplicates.set(
          id,
          `username "${name}" differs only in case from "${first.name}" (id ${first.id}); usernames are case-insensitive: rename one in SQLite and run again`,
        );
      } else firstByName.set(name.toLowerCase(), { id, name });
      after = id;
    }
  }
  return duplicates;
}
