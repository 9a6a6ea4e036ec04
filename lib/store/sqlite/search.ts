import type Database from 'better-sqlite3';
import { parseSearchQuery, type SearchQuery } from '../../model/search-terms.js';
import { pageLimit } from '../common.js';
import { listedHits, searchCursorAfter, searchStart, toSearchHit } from '../search.js';
import type { Page, PageOptions, SearchHit } from '../store.js';
import { listAudioFiles } from './audio.js';
import type { Connection } from './connection.js';
import { type AudioRow, toAudio } from './rows.js';
import { prefixQuery } from './words.js';

/** Rows a short (1–2 character) query examines per page before it returns with a cursor. */
export const SHORT_QUERY_SCAN_BOUND = 2_000;

/**
 * 3+ characters: the trigram index finds the rows whose filename holds the query and, for a
 * one-word query, the word index the rows with a word starting with it (quoted FTS5 strings, so
 * every character — quotes, `*`, `AND`, `NEAR(` — is literal text); then each match is joined by
 * primary key. CROSS JOIN pins that order: the planner may not turn it into a walk of
 * audio_files probing the indexes. Matches are read in filename order, each once (UNION).
 */
const NAME_HITS = 'SELECT rowid AS id FROM audio_files_fts WHERE audio_files_fts MATCH ?';
const WORD_HITS = 'SELECT rowid AS id FROM audio_words_fts WHERE audio_words_fts MATCH ?';
const joined = (hits: string) => `SELECT audio_files.* FROM (${hits}) AS hits CROSS JOIN audio_files
  ON audio_files.id = hits.id WHERE audio_files.filename > ? ORDER BY audio_files.filename LIMIT ?`;
export const SEARCH_INDEXED = joined(NAME_HITS);
export const SEARCH_NAME_OR_WORD = joined(`${NAME_HITS} UNION ${WORD_HITS}`);

// Shorter queries have no trigram to look up: walk the filename index from the cursor for at
// most SHORT_QUERY_SCAN_BOUND rows. instr() on case-folded text is a literal substring test, so
// %, _ and \ need no escaping.
const SEARCH_SHORT = `WITH window AS (
    SELECT * FROM audio_files WHERE filename > ? ORDER BY filename LIMIT ${SHORT_QUERY_SCAN_BOUND}
  ) SELECT * FROM window WHERE instr(casefold(filename), ?) > 0 ORDER BY filename LIMIT ?`;
const WINDOW_END = `SELECT filename FROM audio_files WHERE filename > ? ORDER BY filename LIMIT 1 OFFSET ${SHORT_QUERY_SCAN_BOUND - 1}`;

/** Registers the case-folding function the short-query path uses (per connection). */
export function registerSearchFunctions(db: Database.Database): void {
  db.function('casefold', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
}

/** The FTS5 query for a literal substring: one phrase, inner double quotes doubled. */
function literalPhrase(query: string): string {
  return `"${query.replaceAll('"', '""')}"`;
}

/**
 * Case-insensitive search of filenames (any substring) and transcript words (prefix of 3+
 * characters), each file once, in filename order; the empty query lists everything. The same
 * matches, order and cursors as the DynamoDB adapter (lib/store/search.ts).
 */
export async function searchAudioFiles(
  conn: Connection,
  query: string,
  options?: PageOptions,
): Promise<Page<SearchHit>> {
  const parsed = parseSearchQuery(query);
  const limit = pageLimit(options);
  if (parsed.text === '') {
    return listedHits(listAudioFiles(conn, options), parsed);
  }
  return conn.read(() => {
    const after = searchStart(parsed, options?.cursor) ?? '';
    const name = parsed.name;
    if (name === undefined) return { items: [] };
    if ([...name].length >= 3) {
      const rows = parsed.word
        ? conn.statement(SEARCH_NAME_OR_WORD).all(literalPhrase(name), prefixQuery(parsed.word), after, limit + 1)
        : conn.statement(SEARCH_INDEXED).all(literalPhrase(name), after, limit + 1);
      return hitsPage(rows as AudioRow[], limit, parsed);
    }
    const rows = conn.statement(SEARCH_SHORT).all(after, name, limit + 1) as AudioRow[];
    if (rows.length > limit) return hitsPage(rows, limit, parsed);
    // Fewer matches than a page: either the table ended, or the scan bound did (then resume after it).
    const end = conn.statement(WINDOW_END).get(after) as { filename: string } | undefined;
    const page = hitsPage(rows, limit, parsed);
    return end ? { ...page, cursor: searchCursorAfter(parsed, end.filename) } : page;
  });
}

/**
 * Cuts a `limit + 1` read of candidates to a page (cursor only when another exists) and keeps the
 * rows that match exactly as the DynamoDB adapter decides (the trigram index folds case by its own
 * tables; the check is JavaScript's, on both stores).
 */
function hitsPage(rows: AudioRow[], limit: number, query: SearchQuery): Page<SearchHit> {
  const page = rows.slice(0, limit);
  const items = page.flatMap((row) => {
    const hit = toSearchHit(toAudio(row), query);
    return hit ? [hit] : [];
  });
  const last = page.at(-1);
  return rows.length > limit && last ? { items, cursor: searchCursorAfter(query, last.filename) } : { items };
}
