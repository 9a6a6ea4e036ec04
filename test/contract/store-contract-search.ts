import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError, ValidationError } from '../../lib/errors.js';
import type { SearchHit, Store } from '../../lib/store/store.js';

/** Filenames in the order both stores return them: by UTF-8 bytes (DynamoDB sort keys, SQLite BINARY). */
export function inStoreOrder(names: readonly string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Creates a file and drives it to `completed` with this transcript. */
export async function transcribed(store: Store, filename: string, transcript: string): Promise<void> {
  await store.upsertAudioFile({ filename, size: 1, duration: 1 });
  await store.setTranscriptStatus({ filename, status: 'processing' });
  await store.updateTranscript({ filename, transcript, status: 'completed' });
}

/** Every page of a search, concatenated in the order returned. */
async function searchAll(store: Store, query: string, limit = 3): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 1_000) throw new Error('pagination does not end');
    const page = await store.searchAudioFiles(query, { limit, cursor });
    hits.push(...page.items);
    cursor = page.cursor;
    if (!cursor) return hits;
  }
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/**
 * The definition of a match, written out plainly (not with the library's helpers), that both
 * stores must agree with: a filename substring, or a transcript word starting with a one-word query.
 */
function referenceMatch(filename: string, transcript: string | null, query: string): boolean {
  if (filename.toLowerCase().includes(query.toLowerCase())) return true;
  const word = query.trim().normalize('NFC').toLowerCase();
  if ([...word].length < 3 || !/^[\p{L}\p{N}\p{M}]+$/u.test(word)) return false;
  return [...(transcript ?? '').matchAll(WORD)].some((m) => m[0].normalize('NFC').toLowerCase().startsWith(word));
}

/** The search cases of the Store contract (part of storeContract): filenames, transcripts, order, paging. */
export function searchContract(current: () => Store): void {
  describe('search by filename', () => {
    const files = [
      'Morning Podcast Episode 1.mp3',
      'morning-news.wav',
      'evening_podcast.m4a',
      'Interview (final) 100%.mp3',
      'price_list_2024.ogg',
      'a+b=c.flac',
      'weird [brackets] *star* "quote".mp3',
      "o'reilly.webm",
      'back\\slash.mp3',
      'podpodpod.mp3',
      'b/podcast.mp3',
    ];
    let store: Store;

    beforeEach(async () => {
      store = current();
      for (const filename of files) await store.upsertAudioFile({ filename, size: 1, duration: 1 });
    });

    const names = async (q: string, limit = 3) => (await searchAll(store, q, limit)).map((hit) => hit.filename);

    it('matches case-insensitively on any substring, in filename order (seed test_search_audio_files)', async () => {
      // Filename order, not the order of the text from the match on (podcast.m4a before podcast.mp3).
      expect(await names('podcast')).toEqual(['Morning Podcast Episode 1.mp3', 'b/podcast.mp3', 'evening_podcast.m4a']);
      expect(await names('MORNING')).toEqual(['Morning Podcast Episode 1.mp3', 'morning-news.wav']);
      expect(await names('ode 1')).toEqual(['Morning Podcast Episode 1.mp3']);
      expect(await names('.webm')).toEqual(["o'reilly.webm"]);
      expect(await names('.mp3', 2)).toEqual(inStoreOrder(files.filter((f) => f.endsWith('.mp3'))));
    });

    it('returns each file once even when the query occurs in it several times', async () => {
      expect(await names('pod', 1)).toEqual([
        'Morning Podcast Episode 1.mp3',
        'b/podcast.mp3',
        'evening_podcast.m4a',
        'podpodpod.mp3',
      ]);
    });

    it('handles short queries', async () => {
      expect(await names('wa')).toEqual(['morning-news.wav']);
      expect(await names('+')).toEqual(['a+b=c.flac']);
      expect(await names('e', 4)).toEqual(inStoreOrder(files.filter((f) => f.toLowerCase().includes('e'))));
    });

    it.each([
      ['%', ['Interview (final) 100%.mp3']],
      ['_', ['evening_podcast.m4a', 'price_list_2024.ogg']],
      ['(final)', ['Interview (final) 100%.mp3']],
      ['[brackets]', ['weird [brackets] *star* "quote".mp3']],
      ['*star*', ['weird [brackets] *star* "quote".mp3']],
      ['"quote"', ['weird [brackets] *star* "quote".mp3']],
      ["o'r", ["o'reilly.webm"]],
      ['k\\s', ['back\\slash.mp3']],
      ['a+b', ['a+b=c.flac']],
      ['.*', []],
      ['OR', ['Morning Podcast Episode 1.mp3', 'morning-news.wav']],
      ['NEAR', []],
    ])('treats special characters literally: %s', async (q, expected) => {
      expect(await names(q)).toEqual(expected);
    });

    it('finds nothing for a query that matches nothing, or one with a control character', async () => {
      expect(await store.searchAudioFiles('zzzz')).toEqual({ items: [] });
      expect(await store.searchAudioFiles('pod\u0000')).toEqual({ items: [] });
    });

    it('lists every file, in filename order, for the empty query', async () => {
      expect(await names('', 4)).toEqual(inStoreOrder(files));
      const [first] = (await store.searchAudioFiles('')).items;
      expect(first).toMatchObject({ matched: null });
    });

    it('accepts a query of 1,024 bytes and refuses a longer one with a ValidationError', async () => {
      expect(await store.searchAudioFiles('é'.repeat(512))).toEqual({ items: [] });
      const error = await store.searchAudioFiles(`${'é'.repeat(512)}x`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/1024 bytes/);
    });

    it('finds a match anywhere in a filename, also past its 256th character', async () => {
      const long = `${'a'.repeat(300)}-needle-${'b'.repeat(600)}.mp3`;
      const last = `${'c'.repeat(1_013)}.mp3x`;
      await store.upsertAudioFile({ filename: long, size: 1 });
      await store.upsertAudioFile({ filename: last, size: 1 });
      expect(await names('needle')).toEqual([long]);
      expect(await names('-b')).toEqual([long]);
      expect(await names('.mp3x')).toEqual([last]);
      expect(await names('cccc.mp3')).toEqual([last]);
    });

    it('pages through the longest names and queries (cursors stay valid)', async () => {
      const quotes = '"'.repeat(1_000);
      const longNames = [1, 2, 3].map((i) => `${quotes}${i}.mp3`);
      for (const filename of longNames) await store.upsertAudioFile({ filename, size: 1 });
      expect(await names(quotes, 1)).toEqual(longNames);
    });

    it('a deleted file disappears from search', async () => {
      await store.deleteAudioFile('morning-news.wav');
      expect(await names('morning')).toEqual(['Morning Podcast Episode 1.mp3']);
    });

    it('returns full records, marked as filename matches', async () => {
      const [hit] = (await store.searchAudioFiles('interview')).items;
      expect(hit).toEqual({
        ...(await store.getAudioFile('Interview (final) 100%.mp3')),
        matched: 'filename',
        snippet: null,
      });
    });

    it('rejects a cursor of another query', async () => {
      const first = await store.searchAudioFiles('mp3', { limit: 1 });
      await expect(store.searchAudioFiles('pod', { cursor: first.cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe('search by transcript word', () => {
    let store: Store;

    beforeEach(async () => {
      store = current();
      await transcribed(store, 'b-story.mp3', 'Once upon a time, a Wonderful dragon lived in the hills.');
      await transcribed(store, 'a-news.mp3', 'Today: the weather is wonderfully mild; wonder at it.');
      await transcribed(store, 'c-wonder-podcast.mp3', 'Nothing to see here.');
      await transcribed(store, 'd-café.mp3', 'Un CAFÉ crème, s’il vous plaît; Ünïcode 2024 and Δράκος.');
      await store.upsertAudioFile({ filename: 'e-pending.mp3', size: 1 });
    });

    const names = async (q: string, limit = 2) => (await searchAll(store, q, limit)).map((hit) => hit.filename);

    it('finds a file by a word prefix of 3+ characters, case-insensitively, in filename order', async () => {
      expect(await names('wonder')).toEqual(['a-news.mp3', 'b-story.mp3', 'c-wonder-podcast.mp3']);
      expect(await names('WONDERFUL')).toEqual(['a-news.mp3', 'b-story.mp3']);
      expect(await names('dra')).toEqual(['b-story.mp3']);
      expect(await names('  dragon ')).toEqual(['b-story.mp3']);
      expect(await names('2024')).toEqual(['d-café.mp3']);
    });

    it('needs 3 characters at the start of a word, and one word', async () => {
      expect(await names('dr')).toEqual([]);
      expect(await names('agon')).toEqual([]);
      expect(await names('wonderful dragon')).toEqual([]);
      expect(await names('upon a')).toEqual([]);
    });

    it('compares letters with accents and other scripts in NFC and lower case', async () => {
      expect(await names('café')).toEqual(['d-café.mp3']);
      expect(await names('cafe\u0301')).toEqual(['d-café.mp3']);
      expect(await names('ÜNÏ')).toEqual(['d-café.mp3']);
      expect(await names('δρά')).toEqual(['d-café.mp3']);
      expect(await names('cafe')).toEqual([]);
    });

    it('returns a file that matches both ways once, as a filename match, among the transcript matches', async () => {
      const hits = await searchAll(store, 'wonder', 1);
      expect(hits.map((h) => [h.filename, h.matched])).toEqual([
        ['a-news.mp3', 'transcript'],
        ['b-story.mp3', 'transcript'],
        ['c-wonder-podcast.mp3', 'filename'],
      ]);
    });

    it('carries a snippet of at most 200 characters around the first matching word', async () => {
      const before = 'lorem ipsum dolor sit amet '.repeat(20);
      const after = ' consectetur adipiscing elit'.repeat(20);
      await transcribed(store, 'long.mp3', `${before}Xylophone${after}`);
      const [hit] = (await store.searchAudioFiles('xylo')).items;
      expect(hit?.matched).toBe('transcript');
      expect(hit?.snippet?.length).toBeLessThanOrEqual(200);
      expect(hit?.snippet).toMatch(/^….*Xylophone consectetur.*…$/);
      expect(hit?.transcript).toBe(`${before}Xylophone${after}`);
      const [short] = (await store.searchAudioFiles('hills')).items;
      expect(short?.snippet).toBe('Once upon a time, a Wonderful dragon lived in the hills.');
      const [byName] = (await store.searchAudioFiles('long.mp3')).items;
      expect(byName?.snippet).toMatch(/^lorem ipsum .*…$/);
      expect(byName?.snippet?.length).toBe(200);
    });

    it('forgets the words when the file goes back to pending, is uploaded anew or is deleted', async () => {
      await store.setTranscriptStatus({ filename: 'b-story.mp3', status: 'pending' });
      expect(await names('dragon')).toEqual([]);
      await store.upsertAudioFile({ filename: 'a-news.mp3', size: 2, duration: 1 });
      expect(await names('weather')).toEqual([]);
      await store.deleteAudioFile('d-café.mp3');
      expect(await names('café')).toEqual([]);
      expect(await names('wonder')).toEqual(['c-wonder-podcast.mp3']);
      // The re-run's new words are found.
      await store.setTranscriptStatus({ filename: 'b-story.mp3', status: 'processing' });
      await store.updateTranscript({ filename: 'b-story.mp3', transcript: 'A griffin now.', status: 'completed' });
      expect(await names('griff')).toEqual(['b-story.mp3']);
      expect(await names('dragon')).toEqual([]);
    });

    it('indexes a transcript kept in S3 from its search text; the hit has no snippet', async () => {
      await store.upsertAudioFile({ filename: 'huge.wav', size: 1 });
      await store.setTranscriptStatus({ filename: 'huge.wav', status: 'processing' });
      await store.updateTranscript({
        filename: 'huge.wav',
        transcript: null,
        transcriptS3Key: 'transcripts/huge.wav.txt',
        searchText: 'an enormous aardvark',
        status: 'completed',
      });
      const [hit] = (await store.searchAudioFiles('aardv')).items;
      expect(hit).toMatchObject({ filename: 'huge.wav', matched: 'transcript', snippet: null, transcript: null });
    });

    it('pages the same at every page size', async () => {
      for (let i = 0; i < 7; i++) await transcribed(store, `wonder-${i}.mp3`, `wonderland ${i}`);
      const all = await names('wonder', 100);
      expect(all).toHaveLength(10);
      expect(all).toEqual(inStoreOrder(all));
      for (const limit of [1, 2, 3, 4]) expect(await names('wonder', limit)).toEqual(all);
    });
  });

  describe('search agrees with the definition of a match', () => {
    const alphabet = ['a', 'b', 'A', 'é', 'É', ' ', '-', '.', '1', 'ß', 'Ω', 'ab', 'ba', 'abc'];
    const text = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));

    it('returns exactly the matching files, once each, in filename order, for random names, transcripts and queries', async () => {
      const store = current();
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.tuple(text, fc.option(text, { nil: null })), {
            minLength: 1,
            maxLength: 6,
            selector: ([name]) => name,
          }),
          fc.array(text, { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1, max: 4 }),
          async (rows, queries, limit) => {
            const prefix = `r${run++}/`;
            for (const [name, transcript] of rows) {
              if (transcript === null) await store.upsertAudioFile({ filename: prefix + name, size: 1 });
              else await transcribed(store, prefix + name, transcript);
            }
            for (const query of [...queries, prefix]) {
              // Scoped to this run's files: every query holds the run's prefix or is checked against it.
              const got = (await searchAll(store, query, limit))
                .map((h) => h.filename)
                .filter((f) => f.startsWith(prefix));
              const expected = inStoreOrder(
                rows
                  .filter(([name, transcript]) => referenceMatch(prefix + name, transcript, query))
                  .map(([n]) => prefix + n),
              );
              expect(got).toEqual(expected);
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  });
}
