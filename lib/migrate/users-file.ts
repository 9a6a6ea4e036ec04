import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { MAX_PASSWORD_BYTES } from '../auth/passwords.js';
import { ValidationError } from '../errors.js';

/**
 * Reads and validates the rows of an `import-users` file: CSV with a header line
 * (`username,password[,email][,is_admin]`) or JSON (an array of objects with those fields, or
 * `{ "users": [...] }`). Each row is checked on its own; a bad row is rejected with its reasons
 * and does not stop the others.
 */

export interface RawRow {
  /** CSV line number (header = 1) or JSON entry number (first = 1). */
  line: number;
  fields: Record<string, unknown>;
}

export interface UserImportRow {
  line: number;
  username: string;
  password: string;
  email: string | null;
  isAdmin: boolean;
}

export interface RejectedImportRow {
  line: number;
  username?: string;
  reason: string;
}

const truthy = new Set(['true', '1', 'yes', 'y']);
const falsy = new Set(['false', '0', 'no', 'n', '']);

const rowSchema = z.object({
  username: z
    .string({ error: 'username is missing' })
    .regex(/^[A-Za-z0-9_-]{3,50}$/, { error: 'username must be 3–50 characters of letters, digits, _ or -' }),
  password: z
    .string({ error: 'password is missing' })
    .min(8, { error: 'password must be at least 8 characters' })
    .refine((p) => Buffer.byteLength(p) <= MAX_PASSWORD_BYTES, {
      error: `password must be at most ${MAX_PASSWORD_BYTES} bytes`,
    }),
  email: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.email({ error: 'email is not an email address (name@example.com)' }).optional(),
  ),
  is_admin: z.preprocess(
    (v) =>
      typeof v === 'string' && truthy.has(v.trim().toLowerCase())
        ? true
        : typeof v === 'string' && falsy.has(v.trim().toLowerCase())
          ? false
          : (v ?? false),
    z.boolean({ error: 'is_admin must be true/false, yes/no or 1/0' }),
  ),
});

/** Line breaks inside one field, so a record's first line can be told from the line it ends on. */
const breaks = (value: unknown) => (typeof value === 'string' ? (value.match(/\r\n|\r|\n/g)?.length ?? 0) : 0);

/**
 * Parses CSV text with csv-parse (RFC 4180: quoted fields, doubled quotes, line breaks in fields,
 * CRLF or LF, a UTF-8 BOM) into rows of fields keyed by the lower-cased header, each with the line
 * it starts on. A row with fewer cells than the header leaves the rest missing, for validation to
 * name; malformed CSV is a ValidationError with the line.
 */
export function parseCsv(text: string): { header: string[]; rows: RawRow[] } {
  let header: string[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      columns: (names: string[]) => {
        header = names.map((name) => name.trim().toLowerCase());
        return header;
      },
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new ValidationError(
      `CSV${line ? ` line ${line}` : ''}: ${(error as Error).message}. Quote a field that holds commas, quotes or line breaks, and double each quote inside it ("say ""hi""").`,
    );
  }
  return {
    header,
    rows: records.map(({ record, info }) => ({
      line: info.lines - Object.values(record).reduce((n, value) => n + breaks(value), 0),
      fields: record,
    })),
  };
}

/** Reads the file (by extension: .csv or .json) into raw rows; a malformed file is a ValidationError. */
export function readUsersFile(path: string): RawRow[] {
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(`${path} is not valid JSON: ${(error as Error).message}`);
    }
    const list = Array.isArray(data) ? data : (data as { users?: unknown })?.users;
    if (!Array.isArray(list)) throw new ValidationError(`${path} must hold an array of users, or { "users": [...] }.`);
    return list.map((fields, i) => ({ line: i + 1, fields: (fields ?? {}) as Record<string, unknown> }));
  }
  if (ext === '.csv') {
    const { header, rows } = parseCsv(text);
    for (const required of ['username', 'password']) {
      if (!header.includes(required)) {
        throw new ValidationError(
          `${path}: the header line must name the columns, including "${required}" (e.g. username,password,email,is_admin).`,
        );
      }
    }
    return rows;
  }
  throw new ValidationError(`${path}: unknown file type "${ext}"; use a .csv or .json file.`);
}

/** Validates every row; a name used twice (case-insensitively) is kept the first time only. */
export function validateRows(rows: RawRow[]): { valid: UserImportRow[]; rejected: RejectedImportRow[] } {
  const valid: UserImportRow[] = [];
  const rejected: RejectedImportRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of rows) {
    const username = typeof fields.username === 'string' ? fields.username.trim() : undefined;
    const parsed = rowSchema.safeParse({ ...fields, username });
    if (!parsed.success) {
      rejected.push({
        line,
        ...(username ? { username } : {}),
        reason: parsed.error.issues.map((i) => i.message).join('; '),
      });
      continue;
    }
    const first = seen.get(parsed.data.username.toLowerCase());
    if (first !== undefined) {
      rejected.push({
        line,
        username: parsed.data.username,
        reason: `username repeats the one on line ${first} (names are case-insensitive)`,
      });
      continue;
    }
    seen.set(parsed.data.username.toLowerCase(), line);
    valid.push({
      line,
      username: parsed.data.username,
      password: parsed.data.password,
      email: parsed.data.email ?? null,
      isAdmin: parsed.data.is_admin,
    });
  }
  return { valid, rejected };
}
