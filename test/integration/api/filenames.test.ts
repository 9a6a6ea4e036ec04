import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../lib/http/routes.js';
import { type ApiServer, apiFunctionHandlers, startApiServer } from '../../../lib/local/server.js';
import { keyForm, pathForm, ROUND_TRIP_NAMES, travelsInPath } from '../../helpers/filenames.js';
import { type ApiResponse, call, createHarness, type Harness } from './harness.js';

/**
 * Any S3 key round-trips through the per-file routes (metadata, transcript, delete-transcript) in
 * its key form; in the path form exactly the keys API Gateway can carry do, and the others never
 * reach their own file. Once with the events API Gateway builds fed to the handlers, once through
 * the local server with a real HTTP client.
 */

const METADATA = '/api/audio/{filename}/metadata';
const TRANSCRIPT = '/api/audio/{filename}/transcript';
/** Files the mangled path forms land on: `%41` decoded twice, `what?.mp3` cut at the `?`. */
const DECOYS = ['A.mp3', 'what'];

type Send = (method: string, target: string) => Promise<Pick<ApiResponse, 'status' | 'body' | 'headers'>>;

function roundTrips(send: () => Send, harness: () => Harness) {
  it.each(ROUND_TRIP_NAMES)('%s: metadata, transcript and delete-transcript by ?filename=', async (name) => {
    const res = await send()('GET', keyForm(METADATA, name));
    expect(res.status).toBe(200);
    expect(res.body.filename).toBe(name);
    const transcript = await send()('GET', keyForm(TRANSCRIPT, name));
    expect(transcript.body).toMatchObject({ filename: name, transcript: `words of ${name}`, status: 'completed' });
    const deleted = await send()('DELETE', keyForm(TRANSCRIPT, name));
    expect(deleted.body).toMatchObject({ success: true, filename: name, transcript_status: 'pending' });
    expect((await harness().deps.store.getAudioFile(name))?.transcriptStatus).toBe('pending');
    await complete(harness(), name);
  });

  it.each(ROUND_TRIP_NAMES)('%s in the path: its own file if API Gateway can carry it, never another', async (name) => {
    for (const template of [METADATA, TRANSCRIPT]) {
      const res = await send()('GET', pathForm(template, name));
      if (travelsInPath(name)) {
        expect(res.status, template).toBe(200);
        expect(res.body.filename).toBe(name);
      } else {
        expect(res.status === 200 ? res.body.filename : res.status, template).not.toBe(name);
      }
    }
    if (travelsInPath(name)) {
      const deleted = await send()('DELETE', pathForm(TRANSCRIPT, name));
      expect(deleted.body).toMatchObject({ filename: name, transcript_status: 'pending' });
      await complete(harness(), name);
    }
  });

  it('takes pathParameters as API Gateway decoded them: a "%" that arrives stays (no second decoding)', async () => {
    // `%2525` reaches the function as `%` (the live capture's `literal%2525value`); decoding it
    // again would refuse `100%.mp3` and read `%41.mp3` as `A.mp3`.
    expect((await send()('GET', '/api/audio/100%2525.mp3/metadata')).body.filename).toBe('100%.mp3');
    expect((await send()('GET', '/api/audio/%252541.mp3/transcript')).body.filename).toBe('%41.mp3');
  });

  it('shows why the key form exists: "%41.mp3" in the path reaches A.mp3, "100%.mp3" is refused', async () => {
    const decoded = await send()('GET', pathForm(METADATA, '%41.mp3'));
    expect(decoded.body.filename).toBe('A.mp3');
    expect((await send()('GET', pathForm(METADATA, '100%.mp3'))).status).toBe(400);
    // Cut at the "?", `/api/audio/what` is the stream route of the file "what".
    const cut = await send()('GET', pathForm(TRANSCRIPT, 'what?.mp3'));
    expect(cut.status).toBe(302);
    expect(new URL(cut.headers.location ?? '').pathname).toBe('/audio/what');
    expect((await send()('GET', pathForm(METADATA, 'albums/2024/song.mp3'))).status).toBe(404);
  });
}

async function complete(h: Harness, filename: string) {
  await h.deps.store.setTranscriptStatus({ filename, status: 'processing' });
  await h.deps.store.updateTranscript({ filename, transcript: `words of ${filename}`, status: 'completed' });
}

async function seeded(): Promise<{ h: Harness; token: string }> {
  const h = await createHarness();
  const token = await h.tokenFor(await h.user('alice'));
  for (const filename of [...ROUND_TRIP_NAMES, ...DECOYS]) {
    await h.deps.store.upsertAudioFile({ filename, size: 100, duration: 1 });
    await complete(h, filename);
  }
  return { h, token };
}

describe('filenames through the handlers, with the events API Gateway sends', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    ({ h, token } = await seeded());
  });
  afterAll(() => h.close());
  roundTrips(
    () => (method, target) => call(method, target, { token }),
    () => h,
  );
});

describe('the key form’s query parameter', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    ({ h, token } = await seeded());
  });
  afterAll(() => h.close());

  it('is required, given once and decoded strictly: otherwise a 400 that says how to send it', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/audio/transcript', /give the file's key, URL-encoded, as \?filename=/],
      ['/api/audio/transcript?filename=', /give the file's key/],
      ['/api/audio/transcript?filename=a.mp3&filename=b.mp3', /give it once \(it was given 2 times\)/],
      [
        '/api/audio/transcript?filename=a%E0%A4%A.mp3',
        /malformed percent-encoding; encode the key with encodeURIComponent/,
      ],
    ];
    for (const [target, detail] of cases) {
      const res = await call('GET', target, { token });
      expect(res.status, target).toBe(400);
      expect(res.body.detail, target).toMatch(detail);
    }
    // A comma is part of a key, not a separator (queryStringParameters would join repeats with one).
    await h.deps.store.upsertAudioFile({ filename: 'a,b.mp3', size: 1 });
    expect((await call('GET', '/api/audio/metadata?filename=a%2Cb.mp3', { token })).body.filename).toBe('a,b.mp3');
  });
});

describe('filenames through the local server (real HTTP)', () => {
  let h: Harness;
  let token: string;
  let server: ApiServer;
  beforeAll(async () => {
    ({ h, token } = await seeded());
    server = await startApiServer({ routes, handlers: apiFunctionHandlers, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });
  roundTrips(
    () => async (method, target) => {
      const res = await fetch(`${server.url}${target}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
        redirect: 'manual',
      });
      const body = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
      return { status: res.status, body, headers: Object.fromEntries(res.headers) };
    },
    () => h,
  );
});
