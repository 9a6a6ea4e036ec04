import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../lib/store/store.js';
import { fakeExecutions } from '../../helpers/fake-executions.js';
import { call, createHarness, type Harness, localBucket } from './harness.js';

const enc = encodeURIComponent;

describe('/api/audio', () => {
  let h: Harness;
  let token: string;
  const bucket = localBucket();

  beforeEach(async () => {
    h = await createHarness({ s3: bucket.s3() });
    token = await h.tokenFor(await h.user('alice'));
  });
  afterEach(() => h.close());

  const seed = async (filename: string, size = 1000) => h.deps.store.upsertAudioFile({ filename, size, duration: 42 });
  const complete = async (filename: string, transcript: string | null, transcriptS3Key?: string) => {
    await h.deps.store.setTranscriptStatus({ filename, status: 'processing' });
    return h.deps.store.updateTranscript({
      filename,
      transcript,
      status: 'completed',
      transcriptS3Key: transcriptS3Key ?? null,
    });
  };
  /** Counts store calls, to prove bad input is refused before the store is touched. */
  const countStoreCalls = () => {
    const calls: string[] = [];
    const real = h.deps.store;
    h.deps.store = new Proxy(real, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as Store;
    return calls;
  };

  it('lists files a page at a time with next_cursor', async () => {
    for (const name of ['c.mp3', 'a.mp3', 'b.mp3']) await seed(name);
    const first = await call('GET', '/api/audio/list?limit=2', { token });
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(2);
    expect(first.body.files.map((f: { filename: string }) => f.filename)).toEqual(['a.mp3', 'b.mp3']);
    expect(first.body.files[0]).toEqual({
      filename: 'a.mp3',
      size: 1000,
      duration: 42,
      url: expect.stringMatching(/^\/api\/audio\/a\.mp3\?expires=\d+&signature=[\w-]{22}$/),
      is_static: false,
      transcript: { status: 'pending', has_transcript: false },
      transcript_status: 'pending',
      transcript_error: null,
      has_transcript: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      transcribed_at: null,
    });
    expect(typeof first.body.next_cursor).toBe('string');
    const second = await call('GET', `/api/audio/list?limit=2&cursor=${enc(first.body.next_cursor)}`, { token });
    expect(second.body.files.map((f: { filename: string }) => f.filename)).toEqual(['c.mp3']);
    expect(second.body.next_cursor).toBeNull();
  });

  it('lists up to 1,000 files without a limit, as the old pages expect (they never page)', async () => {
    for (let i = 0; i < 1005; i++)
      await h.deps.store.upsertAudioFile({ filename: `f${String(i).padStart(4, '0')}.mp3`, size: i });
    const all = await call('GET', '/api/audio/list', { token });
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(1000);
    expect(all.body.files).toHaveLength(1000);
    expect(all.body.files.at(-1).filename).toBe('f0999.mp3');
    const rest = await call('GET', `/api/audio/list?cursor=${enc(all.body.next_cursor)}`, { token });
    expect(rest.body.files.map((f: { filename: string }) => f.filename)).toEqual([
      'f1000.mp3',
      'f1001.mp3',
      'f1002.mp3',
      'f1003.mp3',
      'f1004.mp3',
    ]);
    expect(rest.body.next_cursor).toBeNull();
  }, 60_000);

  it.each(['-1', '0', '1001', 'abc', '1.5', ''])('rejects limit=%s with a 400 naming limit', async (limit) => {
    const res = await call('GET', `/api/audio/list?limit=${limit}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/limit/);
  });

  it('rejects tampered and foreign cursors with 400', async () => {
    for (const name of ['a.mp3', 'b.mp3', 'c.mp3']) await seed(name);
    const page = await call('GET', '/api/audio/list?limit=1', { token });
    const cursor: string = page.body.next_cursor;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    const tampered = Buffer.from(JSON.stringify({ ...decoded, p: { PK: { S: 'user#admin' } } })).toString('base64url');
    const search = await call('GET', '/api/audio/search?q=mp3&limit=1', { token });
    // A real cursor from another listing (a fallback here would silently drop that case).
    expect(typeof search.body.next_cursor).toBe('string');
    for (const bad of [tampered, `${cursor.slice(0, -2)}!!`, 'eyJub3QiOiJvdXJzIn0', search.body.next_cursor]) {
      const res = await call('GET', `/api/audio/list?cursor=${enc(bad)}`, { token });
      expect(res.status, bad).toBe(400);
      expect(res.body.detail).toMatch(/cursor/i);
    }
  });

  it('searches case-insensitively, and treats SQL/LIKE/regex characters as text', async () => {
    for (const name of ['My Song (1).mp3', 'other.wav', '100%_done.mp3', "it's [a] test.mp3"]) await seed(name);
    const song = await call('GET', `/api/audio/search?q=${enc('song')}`, { token });
    expect(song.status).toBe(200);
    expect(song.body.query).toBe('song');
    expect(song.body.results.map((f: { filename: string }) => f.filename)).toEqual(['My Song (1).mp3']);
    // Exactly the names containing the text: an empty answer would pass a per-file check vacuously.
    const expected: Array<[string, string[]]> = [
      ['%', ['100%_done.mp3']],
      ['_', ['100%_done.mp3']],
      ["'", ["it's [a] test.mp3"]],
      ['[a]', ["it's [a] test.mp3"]],
      ['(1', ['My Song (1).mp3']],
      ['.*', []],
      ["' OR 1=1 --", []],
    ];
    for (const [q, names] of expected) {
      const res = await call('GET', `/api/audio/search?q=${enc(q)}`, { token });
      expect(res.status, q).toBe(200);
      expect(res.body.results.map((f: { filename: string }) => f.filename).sort(), q).toEqual(names);
    }
    // An empty (or missing) query lists every file, as the old search did.
    for (const target of ['/api/audio/search', '/api/audio/search?q=', '/api/audio/search?q=%20%20']) {
      const all = await call('GET', target, { token });
      expect(all.status, target).toBe(200);
      expect(all.body.count, target).toBe(4);
      expect(all.body.query, target).toBe('');
    }
    const long = await call('GET', `/api/audio/search?q=${'x'.repeat(1025)}`, { token });
    expect(long.status).toBe(400);
    expect(long.body.detail).toMatch(/query\.q: use at most 1024 bytes/);
  });

  it('returns one file’s metadata by URL-encoded name (spaces, Unicode; slashes by ?filename=), 404 when unknown', async () => {
    const name = 'My Song (1) é.mp3';
    await seed(name, 12345);
    const res = await call('GET', `/api/audio/${enc(name)}/metadata`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ filename: name, size: 12345, duration: 42, transcript_status: 'pending' });
    // A "/" cannot travel in a path segment through API Gateway: the key form carries it.
    const nested = 'albums/My Song (1) é.mp3';
    await seed(nested, 54321);
    const byKey = await call('GET', `/api/audio/metadata?filename=${enc(nested)}`, { token });
    expect(byKey.body).toMatchObject({ filename: nested, size: 54321 });
    // Its url uses the key form too: a path segment cannot carry the "/".
    expect(byKey.body.url).toMatch(/^\/api\/audio\?filename=albums%2FMy%20Song%20%281%29%20%C3%A9\.mp3&expires=/);
    const missing = await call('GET', `/api/audio/${enc('nope.mp3')}/metadata`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/not found/);
  });

  it.each([
    ['../ traversal', enc('../../etc/passwd')],
    ['.. segment inside', enc('a/../../b.mp3')],
    ['raw .. segment', '..'],
    ['NUL', 'a%00b.mp3'],
    ['control character', 'a%0Ab.mp3'],
    ['over 1,024 bytes', enc('é'.repeat(513))],
    ['malformed percent-encoding', 'a%E0%A4%A.mp3'],
  ])('refuses a filename with %s with 400 before any store call', async (_case, encoded) => {
    const calls = countStoreCalls();
    for (const [method, path] of [
      ['GET', `/api/audio/metadata?filename=${encoded}`],
      ['GET', `/api/audio/transcript?filename=${encoded}`],
      ['DELETE', `/api/audio/transcript?filename=${encoded}`],
    ] as const) {
      const res = await call(method, path, { token });
      expect(res.status, path).toBe(400);
      expect(res.body.detail).toMatch(/filename/);
    }
    // In the path, API Gateway either refuses the name itself or the function does; nothing is read.
    for (const path of [`/api/audio/${encoded}/metadata`, `/api/audio/${encoded}/transcript`]) {
      const res = await call('GET', path, { token });
      expect([400, 404], path).toContain(res.status);
    }
    expect(calls).toEqual([]);
  });

  it('returns the transcript from the row, or from S3 when it was too large for the row', async () => {
    await seed('small.mp3');
    await complete('small.mp3', 'hello world');
    const small = await call('GET', `/api/audio/${enc('small.mp3')}/transcript`, { token });
    expect(small.status).toBe(200);
    expect(small.body).toEqual({
      filename: 'small.mp3',
      transcript: 'hello world',
      status: 'completed',
      error: null,
      transcribed_at: expect.any(String),
    });
    const big = 'word '.repeat(80_000);
    await bucket
      .s3()
      .client()
      .send(new PutObjectCommand({ Bucket: 'audio', Key: 'transcripts/big.txt', Body: big }));
    await seed('big.mp3');
    await complete('big.mp3', null, 'transcripts/big.txt');
    const res = await call('GET', `/api/audio/${enc('big.mp3')}/transcript`, { token });
    expect(res.status).toBe(200);
    expect(res.body.transcript).toBe(big);
    expect((await call('GET', `/api/audio/${enc('big.mp3')}/metadata`, { token })).body.has_transcript).toBe(true);
    expect((await call('GET', `/api/audio/${enc('none.mp3')}/transcript`, { token })).status).toBe(404);
  });

  it('deletes a transcript: back to pending; 409 when there is none to delete; 404 when unknown', async () => {
    await seed('done.mp3');
    await complete('done.mp3', 'text');
    const res = await call('DELETE', `/api/audio/${enc('done.mp3')}/transcript`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, transcript_status: 'pending' });
    const row = await h.deps.store.getAudioFile('done.mp3');
    expect(row).toMatchObject({ transcriptStatus: 'pending', transcript: null });
    expect((await call('DELETE', `/api/audio/${enc('done.mp3')}/transcript`, { token })).status).toBe(409);
    expect((await call('DELETE', `/api/audio/${enc('ghost.mp3')}/transcript`, { token })).status).toBe(404);
  });

  it('re-runs a transcription: 202, back to pending, an execution started; 409 while it runs; 404 unknown', async () => {
    const executions = fakeExecutions();
    h.deps.executions = executions;
    await seed('again.mp3');
    await complete('again.mp3', 'old');
    const res = await call('POST', `/api/audio/${enc('again.mp3')}/transcribe`, { token });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ success: true, filename: 'again.mp3', transcript_status: 'pending' });
    expect(executions.started).toHaveLength(1);
    expect(executions.started[0]!.input).toMatchObject({ bucket: 'audio', key: 'again.mp3' });
    expect(executions.started[0]!.name).toBe(res.body.execution);
    const running = await call('POST', `/api/audio/${enc('again.mp3')}/transcribe`, { token });
    expect(running.status).toBe(409);
    expect(running.body.detail).toContain(`execution ${res.body.execution} is running`);
    expect((await call('POST', `/api/audio/${enc('ghost.mp3')}/transcribe`, { token })).status).toBe(404);
    expect(executions.started).toHaveLength(1);
  });

  it('issues a presigned PUT that uploads to the bucket with the declared content type only', async () => {
    const res = await call('POST', '/api/audio/upload-url', {
      token,
      body: { filename: 'uploads/new song.mp3', content_type: 'audio/mpeg' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'audio/mpeg' }, expires_in: 900 });
    expect(res.body.url).toContain('X-Amz-Signature=');
    expect(res.body.url).toContain('X-Amz-SignedHeaders=content-type%3Bhost');
    // A checksum of the empty body in the URL would make S3 reject every real upload.
    expect(res.body.url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum/i);
    const put = await fetch(res.body.url, { method: 'PUT', headers: res.body.headers, body: 'ID3 fake audio' });
    expect(put.status).toBe(200);
    const object = await bucket
      .s3()
      .client()
      .send(new GetObjectCommand({ Bucket: 'audio', Key: 'uploads/new song.mp3' }));
    expect(await object.Body!.transformToString()).toBe('ID3 fake audio');
    // s3rver checks signatures but, unlike S3, not the signed content-type; the test above that
    // SignedHeaders lists content-type is what binds it in AWS.
  });

  it.each([
    [{ filename: 'a.mp3', content_type: 'text/html' }, /content_type/],
    [{ filename: 'a.exe', content_type: 'audio/mpeg' }, /filename.*extension/],
    [{ filename: 'a.wav', content_type: 'audio/mpeg' }, /content_type/],
    [{ filename: '../a.mp3', content_type: 'audio/mpeg' }, /filename/],
    [{ filename: 'transcripts/a.mp3', content_type: 'audio/mpeg' }, /filename.*reserved/],
    [{ filename: 'a.mp3', content_type: 'audio/mpeg', acl: 'public-read' }, /unknown field/],
    [{ filename: 'a.mp3' }, /content_type/],
  ])('refuses an upload-url request %j with a 400', async (body, detail) => {
    const res = await call('POST', '/api/audio/upload-url', { token, body });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(detail);
  });
});
