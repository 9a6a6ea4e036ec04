import * as z from 'zod';
import { InvalidCursorError, ValidationError } from '../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageOptions, type UpsertAudioInput } from './store.js';

/** Width S3 sequencers are right-padded to so that string order is upload order. */
const SEQUENCER_WIDTH = 32;

/**
 * Normalizes an S3 event sequencer for comparison: upper-case hex, right-padded with zeros
 * (S3's documented rule for comparing sequencers of one key). Undefined/empty stays null.
 */
export function normalizeSequencer(raw: string | null | undefined): string | null {
  if (!raw) return null;
  if (!/^[0-9A-Fa-f]{1,64}$/.test(raw)) {
    throw new ValidationError(`Invalid S3 sequencer ${JSON.stringify(raw)}: expected a hexadecimal string.`);
  }
  return raw.toUpperCase().padEnd(SEQUENCER_WIDTH, '0');
}

/** Validates a page limit (1–100, default 50). */
export function pageLimit(options: PageOptions | undefined): number {
  const limit = options?.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError(`Invalid limit ${limit}: use a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return limit;
}

/** Filenames (S3 keys): 1–1,024 bytes, no NUL or control characters. */
export function checkFilename(filename: string): string {
  if (typeof filename !== 'string' || filename.length === 0) {
    throw new ValidationError('Invalid filename: it must be a non-empty string.');
  }
  if (Buffer.byteLength(filename, 'utf8') > 1024) {
    throw new ValidationError('Invalid filename: S3 keys are at most 1,024 bytes; use a shorter name.');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(filename)) {
    throw new ValidationError('Invalid filename: it contains a control character (such as NUL); remove it.');
  }
  return filename;
}

/**
 * Validates an upload for upsertAudioFile (both adapters) and returns it normalized: duration
 * rounded to whole seconds (null when unknown), etag null when absent, sequencer normalized.
 */
export function checkUpload(input: UpsertAudioInput) {
  const filename = checkFilename(input?.filename);
  if (!Number.isSafeInteger(input.size) || input.size < 0) {
    throw new ValidationError(`Invalid size ${input.size}: it must be a whole number of bytes, 0 or more.`);
  }
  const raw = input.duration;
  if (raw !== undefined && raw !== null && (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0)) {
    throw new ValidationError(`Invalid duration ${raw}: it must be a number of seconds, 0 or more, or null.`);
  }
  if (input.etag !== undefined && input.etag !== null && typeof input.etag !== 'string') {
    throw new ValidationError('Invalid etag: it must be a string or null.');
  }
  // Durations are whole seconds on the wire (SPEC §1).
  const duration = raw === undefined || raw === null ? null : Math.round(raw);
  return {
    filename,
    size: input.size,
    duration,
    etag: input.etag ?? null,
    sequencer: normalizeSequencer(input.sequencer),
  };
}

/**
 * Cursors are base64url JSON, tagged with the listing they belong to and validated against a
 * schema on the way back in, so a tampered or foreign cursor is an InvalidCursorError and never
 * reaches the database raw.
 */
export function encodeCursor(kind: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ k: kind, p: position }), 'utf8').toString('base64url');
}

export function decodeCursor<T>(kind: string, cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const envelope = z
    .object({ k: z.literal(kind), p: schema })
    .strict()
    .safeParse(parsed);
  if (!envelope.success) throw new InvalidCursorError();
  return envelope.data.p;
}

/** Current time as an ISO 8601 UTC string. */
export function nowIso(): string {
  return new Date().toISOString();
}

// SQLAlchemy on SQLite writes naive datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC in the
// Python service); some rows carry an offset or a 'T'. Fractions are cut to milliseconds.
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a stored timestamp as ISO 8601 UTC (`2024-05-01T10:00:00.123Z`), whatever wrote it: our
 * ISO strings pass through, SQLAlchemy's naive strings are taken as UTC, offsets are applied.
 * Unparseable text is returned unchanged rather than invented.
 */
export function toIso(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return new Date(value * (value < 1e11 ? 1000 : 1)).toISOString();
  const match = DATETIME.exec(value.trim());
  if (!match) {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
    return date && !Number.isNaN(date.getTime()) ? date.toISOString() : value;
  }
  const [, y, mo, d, h, mi, s = '00', fraction = '', zone] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const offset = !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${offset}`);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}
