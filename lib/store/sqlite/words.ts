import { transcriptWords } from '../../model/search-terms.js';
import type { Connection } from './connection.js';

/**
 * The transcript word index (migration 9): one FTS5 row per audio row (same rowid) holding its
 * distinct words, written by the store inside the transaction that changes the transcript.
 */

/** Replaces the row's words with those of `text` (none for null or empty). */
export function indexWords(conn: Connection, id: number, text: string | null | undefined): void {
  conn.statement('DELETE FROM audio_words_fts WHERE rowid = ?').run(id);
  const words = transcriptWords(text);
  if (words.length > 0)
    conn.statement('INSERT INTO audio_words_fts (rowid, words) VALUES (?, ?)').run(id, words.join(' '));
}

/** The FTS5 query for "a word starting with `prefix`": a quoted phrase with `*`. */
export function prefixQuery(prefix: string): string {
  return `"${prefix.replaceAll('"', '""')}"*`;
}
