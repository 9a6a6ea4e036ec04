import type Database from 'better-sqlite3';
import * as z from 'zod';
import { InvalidCursorError, ValidationError } from '../../errors.js';
import { decodeCursor, encodeCursor, pageLimit } from '../common.js';
import type { AudioRecord, Page, PageOptions } from '../store.js';
import { pageOf } from './audio.js';
import type { Connection } from './connection.js';
import type { AudioRow } from './rows.js';

/** Rows a short (1–2 character) query examines per page before it returns with a cursor. */
export const SHORT_QUERY_SCAN_BOUND = 2_000;

/**
 * 3+ characters: the trigram index finds the matching rowids (a quoted FTS5 phrase, so every
 * character — quotes, `*`, `AND`, `NEAR(` — is literal text), then each match is joined by
 * primary key. CROSS JOIN pins that order: the planner may not turn it into a walk of
 * audio_files probing the index.
 */
export const SEARCH_INDEXED = `SELECT audio_files.* FROM audio_files_fts CROSS JOIN audio_files
  ON audio_files.id = audio_files_fts.rowid
  WHERE audio_files_fts MATCH ? AND audio_files.filename > ?
  ORDER BY audio_files.filename LIMIT ?`;

// Shorter queries have no trigram to look up: walk the filename index from the cursor for at
// most SHORT_QUERY_SCAN_BOUND rows. instr() on case-folded text is a literal substring test, so
// %, _ and \ need no escaping.
const SEARCH_SHORT = `WITH window AS (
    SELECT * FROM audio_files WHERE filename > ? ORDER BY filename LIMIT ${SHORT_QUERY_SCAN_BOUND}
  ) SELECT * FROM window WHERE instr(casefold(filename), ?) > 0 ORDER BY filename LIMIT ?`;
const WINDOW_END = `SELECT filename FROM audio_files WHERE filename > ? ORDER BY filename LIMIT 1 OFFSET ${SHORT_QUERY_SCAN_BOUND - 1}`;

const searchCursor = z.object({ q: z.string(), f: z.string().min(1) }).strict();

/** Registers the case-folding function the short-query path uses (per connection). */
export function registerSearchFunctions(db: Database.Database): void {
  db.function('casefold', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
}

/** The FTS5 query for a literal substring: one phrase, inner double quotes doubled. */
export function literalPhrase(query: string): string {
  return `"${query.replaceAll('"', '""')}"`;
}

/**
 * Case-insensitive substring search of filenames, in filename order, each file once. A cursor
 * belongs to its query: reusing it with another query is an InvalidCursorError.
 */
export function searchAudioFiles(conn: Connection, query: string, options?: PageOptions): Promise<Page<AudioRecord>> {
  return conn.read(() => {
    if (typeof query !== 'string' || query === '') {
      throw new ValidationError('Invalid search query: it must be a non-empty string.');
    }
    const limit = pageLimit(options);
    const after = decodeCursor('audio-search', options?.cursor, searchCursor);
    if (after && after.q !== query) {
      throw new InvalidCursorError(
        'Invalid cursor: it belongs to a different search query; repeat the same query or omit the cursor.',
      );
    }
    const from = after?.f ?? '';
    const cursorFor = (last: { filename: string }) => encodeCursor('audio-search', { q: query, f: last.filename });
    // No filename holds control characters or exceeds 1,024 bytes (checkFilename), so such a
    // query matches nothing; answering that directly keeps odd bytes away from the FTS parser.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(query) || Buffer.byteLength(query, 'utf8') > 1024) return { items: [] };

    if ([...query].length >= 3) {
      const rows = conn.statement(SEARCH_INDEXED).all(literalPhrase(query), from, limit + 1) as AudioRow[];
      return pageOf(rows, limit, cursorFor);
    }
    const rows = conn.statement(SEARCH_SHORT).all(from, query.toLowerCase(), limit + 1) as AudioRow[];
    if (rows.length > limit) return pageOf(rows, limit, cursorFor);
    // Fewer matches than a page: either the table ended, or the scan bound did (then resume after it).
    const end = conn.statement(WINDOW_END).get(from) as { filename: string } | undefined;
    const page = pageOf(rows, limit, cursorFor);
    return end ? { ...page, cursor: cursorFor(end) } : page;
  });
}
