import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError, ValidationError } from '../../lib/errors.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import { SEARCH_INDEXED, SEARCH_NAME_OR_WORD, SHORT_QUERY_SCAN_BOUND } from '../../lib/store/sqlite/search.js';
import type { Store } from '../../lib/store/store.js';

const NAMES = [
  'Hello World.mp3',
  'hello_world (2).MP3',
  '100% pure_audio.wav',
  'AND OR NOT NEAR.mp3',
  'NEAR(a b) filename:x.ogg',
  "quote\"d 'single' `tick`.m4a",
  'back\\slash [brackets] {braces}.flac',
  'caret^star*dash-plus+.webm',
  'Ünïcödé Überall ÉTÉ.mp3',
  'emoji 🎵🎶 song.mp3',
  'dots...and---dashes.mp3',
  'a.mp3',
];

/** The meaning the store must implement: case-insensitive substring of the filename. */
function reference(query: string): string[] {
  const q = query.toLowerCase();
  return NAMES.filter((name) => name.toLowerCase().includes(q)).sort();
}

async function searchAll(store: Store, query: string, limit = 2): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.searchAudioFiles(query, { limit, cursor });
    found.push(...page.items.map((a) => a.filename));
    cursor = page.cursor;
  } while (cursor);
  return found;
}

describe('SQLite search', () => {
  let dir: string;
  let file: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-search-'));
    file = join(dir, 'local.db');
    store = openSqliteStore(file);
    for (const filename of NAMES) await store.upsertAudioFile({ filename, size: 1, duration: 1 });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    '"',
    '""',
    '"""',
    "'",
    '%',
    '_',
    '\\',
    '*',
    '^',
    '(',
    ')',
    '[',
    ']',
    '.',
    '...',
    '---',
    'AND',
    'and or',
    'NOT',
    'NEAR(',
    'NEAR(a b)',
    'filename:x',
    '{braces}',
    "d 's",
    'star*',
    '^star',
    '% pure_',
    '🎵',
    '🎵🎶',
    '🎵🎶 s',
    'üNÏ',
    'éTé',
    'ÜBERALL',
    ' ',
    'a',
    'zz',
  ])('finds exactly the filenames containing %j, in filename order, each once', async (query) => {
    expect(await searchAll(store, query)).toEqual(reference(query));
  });

  it('agrees with the reference for generated queries (substrings and operator soup)', async () => {
    const fromNames = fc
      .tuple(fc.constantFrom(...NAMES), fc.nat(), fc.integer({ min: 1, max: 8 }))
      .map(([name, start, length]) => {
        const chars = [...name];
        const from = start % chars.length;
        return chars.slice(from, from + length).join('');
      })
      .chain((q) => fc.constantFrom(q, q.toUpperCase(), q.toLowerCase()));
    const soup = fc
      .array(
        fc.constantFrom('"', "'", '%', '_', '*', '(', ')', ' ', 'AND', 'OR', 'NEAR', ':', '^', '-', '\\', 'a', 'o'),
        {
          minLength: 1,
          maxLength: 6,
        },
      )
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fromNames, soup), async (query) => {
        fc.pre(query.length > 0);
        expect((await searchAll(store, query, 3)).sort()).toEqual(reference(query));
      }),
      { numRuns: 150 },
    );
  });

  it('3+ character queries are answered from the trigram index, not by scanning audio_files', async () => {
    const db = new Database(file, { readonly: true });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SEARCH_INDEXED}`).all('"wor"', '', 51) as { detail: string }[]).map(
      (row) => row.detail,
    );
    db.close();
    expect(plan.some((detail) => /^SCAN audio_files_fts VIRTUAL TABLE INDEX \d+:M/.test(detail))).toBe(true);
    expect(plan).toContain('SEARCH audio_files USING INTEGER PRIMARY KEY (rowid=?)');
    expect(plan.filter((detail) => /^SCAN audio_files\b(?!_fts)/.test(detail))).toEqual([]);
  });

  it('one-word queries add the word index, still without scanning audio_files', async () => {
    const db = new Database(file, { readonly: true });
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${SEARCH_NAME_OR_WORD}`).all('"wor"', '"wor"*', '', 51) as { detail: string }[]
    ).map((row) => row.detail);
    db.close();
    expect(plan.some((detail) => /^SCAN audio_files_fts VIRTUAL TABLE INDEX \d+:M/.test(detail))).toBe(true);
    expect(plan.some((detail) => /^SCAN audio_words_fts VIRTUAL TABLE INDEX \d+:M/.test(detail))).toBe(true);
    expect(plan).toContain('SEARCH audio_files USING INTEGER PRIMARY KEY (rowid=?)');
    expect(plan.filter((detail) => /^SCAN audio_files\b(?!_fts)/.test(detail))).toEqual([]);
  });

  it('transcript words come from the word index: emptying it hides them, filename matches stay', async () => {
    await store.setTranscriptStatus({ filename: 'a.mp3', status: 'processing' });
    await store.updateTranscript({ filename: 'a.mp3', transcript: 'a worldly tune', status: 'completed' });
    expect(await searchAll(store, 'world')).toEqual(['Hello World.mp3', 'a.mp3', 'hello_world (2).MP3']);
    const db = new Database(file);
    db.exec('DELETE FROM audio_words_fts');
    db.close();
    expect(await searchAll(store, 'world')).toEqual(['Hello World.mp3', 'hello_world (2).MP3']);
  });

  it('the store really reads the index: emptying it hides 3+ character matches only', async () => {
    expect(await searchAll(store, 'world')).toHaveLength(2);
    const db = new Database(file);
    db.exec(`INSERT INTO audio_files_fts (audio_files_fts) VALUES ('delete-all')`);
    db.close();
    expect(await searchAll(store, 'world')).toEqual([]);
    expect(await searchAll(store, 'wo')).toHaveLength(2);
    // 'rebuild' restores it from the table (the migration does the same for a legacy file).
    const repair = new Database(file);
    repair.exec(`INSERT INTO audio_files_fts (audio_files_fts) VALUES ('rebuild')`);
    repair.close();
    expect(await searchAll(store, 'world')).toHaveLength(2);
  });

  it('keeps the index in step with re-uploads and deletes (no duplicates, no ghosts)', async () => {
    await store.upsertAudioFile({ filename: 'Hello World.mp3', size: 2, sequencer: '01' });
    await store.upsertAudioFile({ filename: 'Hello World.mp3', size: 3, sequencer: '02' });
    expect(await searchAll(store, 'hello world')).toEqual(['Hello World.mp3']);
    await store.deleteAudioFile('hello_world (2).MP3');
    expect(await searchAll(store, 'hello')).toEqual(['Hello World.mp3']);
    expect(await searchAll(store, 'he')).toEqual(reference('he').filter((name) => name !== 'hello_world (2).MP3'));
  });

  it('short queries stop after a bounded scan and resume from the cursor', async () => {
    const db = new Database(file);
    const insert = db.prepare(
      `INSERT INTO audio_files (filename, size, transcript_status, created_at, updated_at) VALUES (?, 1, 'pending', 'x', 'x')`,
    );
    db.transaction(() => {
      for (let i = 0; i < SHORT_QUERY_SCAN_BOUND + 50; i++) insert.run(`bulk-${String(i).padStart(5, '0')}.mp3`);
      insert.run('~~ last Q.mp3');
    })();
    db.close();
    const first = await store.searchAudioFiles('q', { limit: 5 });
    expect(first.items).toEqual([]);
    expect(first.cursor).toBeDefined();
    expect(await searchAll(store, 'q', 5)).toEqual([...reference('q'), '~~ last Q.mp3']);
    // A 3+ character query needs no such bound: the index answers in one page.
    expect((await store.searchAudioFiles('last q', { limit: 5 })).items.map((a) => a.filename)).toEqual([
      '~~ last Q.mp3',
    ]);
  });

  it('rejects a cursor from another query, and a tampered one', async () => {
    const page = await store.searchAudioFiles('mp3', { limit: 1 });
    expect(page.cursor).toBeDefined();
    await expect(store.searchAudioFiles('wav', { cursor: page.cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    const tampered = Buffer.from(JSON.stringify({ k: 'audio-search', p: { q: 'mp3', f: 1 } })).toString('base64url');
    await expect(store.searchAudioFiles('mp3', { cursor: tampered })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('a query with control characters finds nothing; one over 1,024 bytes is a ValidationError, as on DynamoDB', async () => {
    expect(await store.searchAudioFiles('a\u0000b')).toEqual({ items: [] });
    await expect(store.searchAudioFiles('x'.repeat(2000))).rejects.toBeInstanceOf(ValidationError);
  });
});
