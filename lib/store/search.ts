import { createHash } from 'node:crypto';
import * as z from 'zod';
import { InvalidCursorError } from '../errors.js';
import { filenameMatches, type SearchQuery, snippet, transcriptMatches } from '../model/search-terms.js';
import { decodeCursor, encodeCursor } from './common.js';
import type { AudioRecord, Page, SearchHit } from './store.js';

/**
 * What both adapters share about search results: the cursor (the last filename returned and a
 * digest of the query, so it means the same on either store and stays short), the order, and the
 * hit a row becomes.
 */

const CURSOR_KIND = 'audio-search';
const searchCursor = z.object({ q: z.string().length(16), f: z.string().min(1).max(1_100) }).strict();

const digest = (query: SearchQuery) => createHash('sha256').update(query.text).digest('base64url').slice(0, 16);

/** The filename a page starts after, from a cursor issued for this same query. */
export function searchStart(query: SearchQuery, cursor: string | undefined): string | undefined {
  const start = decodeCursor(CURSOR_KIND, cursor, searchCursor);
  if (start && start.q !== digest(query)) {
    throw new InvalidCursorError(
      'Invalid cursor: it belongs to a different search query; repeat the same query or omit the cursor.',
    );
  }
  return start?.f;
}

/** The cursor of a page whose last filename is `filename`. */
export function searchCursorAfter(query: SearchQuery, filename: string): string {
  return encodeCursor(CURSOR_KIND, { q: digest(query), f: filename });
}

/**
 * Orders filenames as DynamoDB orders sort keys and SQLite's BINARY collation orders text: by
 * their UTF-8 bytes (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF).
 */
export function compareFilenames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The hit a row is for a query, or undefined when it does not match (an index entry left behind
 * by an interrupted write). A transcript kept in S3 cannot be read here; its index entries,
 * written from its text when it was stored, are trusted.
 */
export function toSearchHit(record: AudioRecord, query: SearchQuery): SearchHit | undefined {
  if (query.text === '') return { ...record, matched: null, snippet: snippet(record.transcript) };
  const byName = filenameMatches(record.filename, query);
  const byWord =
    !byName &&
    (transcriptMatches(record.transcript, query) ||
      (query.word !== undefined &&
        record.transcript === null &&
        record.transcriptS3Key !== null &&
        record.transcriptStatus === 'completed'));
  if (!byName && !byWord) return undefined;
  return { ...record, matched: byName ? 'filename' : 'transcript', snippet: snippet(record.transcript, query.word) };
}

/** The empty query's answer on both stores: a list page, every row a hit (it matches them all). */
export async function listedHits(list: Promise<Page<AudioRecord>>, query: SearchQuery): Promise<Page<SearchHit>> {
  const page = await list;
  return { ...page, items: page.items.map((item) => toSearchHit(item, query) as SearchHit) };
}
