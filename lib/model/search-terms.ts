import { ValidationError } from '../errors.js';

/**
 * What "a match" means for searchAudioFiles, in one place for both adapters, so the DynamoDB
 * index items and the SQLite full-text rows are made of exactly the same terms:
 *
 * - filename: the lower-cased query is a substring of the lower-cased filename (any position);
 * - transcript: the query, trimmed, is one word of at least 3 characters and some word of the
 *   transcript starts with it. A word is a run of letters, digits and combining marks (Unicode
 *   L, N, M), compared in NFC and lower case, on its first 64 characters.
 */

/** Transcript words are compared (and indexed) on this many characters at most. */
const MAX_WORD_LENGTH = 64;
/** The shortest word prefix a query can match a transcript with. */
const MIN_WORD_QUERY = 3;
/** Filename n-grams are indexed up to this length; longer queries are checked against the name. */
const MAX_GRAM = 3;
/** Queries are at most this many UTF-8 bytes (the longest S3 key). */
export const MAX_QUERY_BYTES = 1024;
/** Search results carry a transcript snippet of at most this many characters. */
const SNIPPET_LENGTH = 200;

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const ONE_WORD = /^[\p{L}\p{N}\p{M}]+$/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: filenames never hold control characters, so such a query matches none
const CONTROL = /[\u0000-\u001f\u007f]/;

const codePoints = (text: string): string[] => Array.from(text);

/** A word as compared: NFC, lower case, cut to MAX_WORD_LENGTH characters. */
function normalizeWord(word: string): string {
  return codePoints(word.normalize('NFC').toLowerCase()).slice(0, MAX_WORD_LENGTH).join('');
}

/** The distinct normalized words of a text that a query can match (3+ characters). */
export function transcriptWords(text: string | null | undefined): string[] {
  const words = new Set<string>();
  for (const match of (text ?? '').matchAll(WORD)) {
    const word = normalizeWord(match[0]);
    if (codePoints(word).length >= MIN_WORD_QUERY) words.add(word);
  }
  return [...words];
}

/**
 * The distinct prefixes (3 characters and longer) of a text's words: the DynamoDB index holds
 * one item per prefix, so a query is one exact key and each file appears under it once.
 */
export function transcriptPrefixes(text: string | null | undefined): string[] {
  const prefixes = new Set<string>();
  for (const word of transcriptWords(text)) {
    const chars = codePoints(word);
    for (let length = MIN_WORD_QUERY; length <= chars.length; length++) prefixes.add(chars.slice(0, length).join(''));
  }
  return [...prefixes];
}

/** The distinct 1- to 3-character substrings of the lower-cased filename. */
export function filenameGrams(filename: string): string[] {
  const chars = codePoints(filename.toLowerCase());
  const grams = new Set<string>();
  for (let start = 0; start < chars.length; start++) {
    for (let length = 1; length <= MAX_GRAM && start + length <= chars.length; length++) {
      grams.add(chars.slice(start, start + length).join(''));
    }
  }
  return [...grams];
}

/** A parsed, validated search query. */
export interface SearchQuery {
  /** The query as given (cursors are bound to it). */
  text: string;
  /** Lower-cased, for the filename substring test; undefined when no filename can match. */
  name?: string;
  /** The filename index term to look up: the query itself up to 3 characters, else its first 3. */
  gram?: string;
  /** The normalized word prefix, when the query can match transcript words. */
  word?: string;
}

/**
 * Validates a query (a string of at most 1,024 UTF-8 bytes) and works out what it can match.
 * The empty query is returned as is: the adapters list everything for it.
 */
export function parseSearchQuery(query: unknown): SearchQuery {
  if (typeof query !== 'string') throw new ValidationError('Invalid search query: it must be a string.');
  if (Buffer.byteLength(query, 'utf8') > MAX_QUERY_BYTES) {
    throw new ValidationError(
      `Invalid search query: it is longer than ${MAX_QUERY_BYTES} bytes (the longest filename); shorten it.`,
    );
  }
  const parsed: SearchQuery = { text: query };
  if (query === '' || CONTROL.test(query)) return parsed;
  parsed.name = query.toLowerCase();
  parsed.gram = codePoints(parsed.name).slice(0, MAX_GRAM).join('');
  const trimmed = query.trim();
  if (ONE_WORD.test(trimmed)) {
    const word = normalizeWord(trimmed);
    if (codePoints(word).length >= MIN_WORD_QUERY) parsed.word = word;
  }
  return parsed;
}

/** Whether the filename matches the query's filename part (case-insensitive substring). */
export function filenameMatches(filename: string, query: SearchQuery): boolean {
  return query.name !== undefined && filename.toLowerCase().includes(query.name);
}

/** Start (UTF-16 index) of the first word of `text` that begins with `word`, or -1. */
function firstWordMatch(text: string, word: string): number {
  for (const match of text.matchAll(WORD)) {
    if (normalizeWord(match[0]).startsWith(word)) return match.index;
  }
  return -1;
}

/** Whether some word of the text starts with the query's word prefix. */
export function transcriptMatches(text: string | null | undefined, query: SearchQuery): boolean {
  return query.word !== undefined && typeof text === 'string' && firstWordMatch(text, query.word) >= 0;
}

/** Cuts text[start, end) without splitting a surrogate pair. */
function cut(text: string, start: number, end: number): string {
  const isLow = (i: number) => i > 0 && i < text.length && /[\udc00-\udfff]/.test(text[i] as string);
  const from = isLow(start) ? start + 1 : start;
  const to = isLow(end) ? end - 1 : end;
  return text.slice(from, to);
}

/**
 * At most SNIPPET_LENGTH characters of the transcript around its first word that begins with
 * `word` (from the start when there is none, e.g. a filename match), with `…` where it is cut.
 */
export function snippet(text: string | null | undefined, word?: string): string | null {
  if (typeof text !== 'string' || text === '') return null;
  if (text.length <= SNIPPET_LENGTH) return text;
  const at = word === undefined ? -1 : firstWordMatch(text, word);
  // The match sits about a third into the window, so the reader sees what leads up to it.
  let start = at <= 0 ? 0 : Math.max(0, at - Math.floor(SNIPPET_LENGTH / 3));
  if (text.length - start < SNIPPET_LENGTH) start = text.length - SNIPPET_LENGTH + 1;
  const lead = start > 0 ? '…' : '';
  const room = SNIPPET_LENGTH - lead.length;
  const end = start + room >= text.length ? text.length : start + room - 1;
  const tail = end < text.length ? '…' : '';
  return `${lead}${cut(text, start, end).trim()}${tail}`;
}
