import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signedQuery, streamKey } from '../../../lib/http/stream.js';
import { call, createHarness, type Harness, JWT_SECRET, localBucket } from './harness.js';

/**
 * `GET|HEAD /api/audio/{filename}` is the audio: a 302 to a presigned S3 GET, for a session or a
 * signed stream URL (the `url` of list results), or for anyone with PUBLIC_AUDIO=true. Events as
 * API Gateway sends them; the redirect is followed to s3rver with real HTTP.
 */
const BYTES = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
const NAMES = ['song.mp3', 'albums/2024/a b.mp3', 'list', "it's (1).wav", '100%.mp3', 'what?.mp3', 'metadata'];

describe('the audio stream', () => {
  const bucket = localBucket();
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    for (const key of NAMES) {
      await bucket
        .s3()
        .client()
        .send(new PutObjectCommand({ Bucket: 'audio', Key: key, Body: BYTES }));
    }
  });
  const open = async (env: Record<string, string> = {}) => {
    h = await createHarness({ env, s3: bucket.s3() });
    token = await h.tokenFor(await h.user('alice'));
    for (const filename of NAMES) await h.deps.store.upsertAudioFile({ filename, size: BYTES.length, duration: 60 });
  };
  afterEach(() => h.close());

  const urls = async () => {
    const list = await call('GET', '/api/audio/list', { token });
    return Object.fromEntries(list.body.files.map((f: { filename: string; url: string }) => [f.filename, f.url]));
  };

  describe('signed (the default)', () => {
    beforeEach(() => open());

    it('redirects a session to a presigned S3 GET that serves the bytes and ranges, with the audio content type', async () => {
      const res = await call('GET', '/api/audio/song.mp3', { token });
      expect(res.status).toBe(302);
      expect(res.raw).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
      const location = new URL(res.headers.location!);
      expect(location.origin).toBe(new URL(bucket.s3().endpoint).origin);
      expect(location.pathname).toBe('/audio/song.mp3');
      // Long enough to play the file through: 15 minutes plus its 60 seconds.
      expect(location.searchParams.get('X-Amz-Expires')).toBe('960');
      const whole = await fetch(location);
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toBe('audio/mpeg');
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(BYTES);
      const range = await fetch(location, { headers: { range: 'bytes=100-199' } });
      expect(range.status).toBe(206);
      expect(Buffer.from(await range.arrayBuffer())).toEqual(BYTES.subarray(100, 200));
      const head = await call('HEAD', '/api/audio/song.mp3', { token });
      expect(head.status).toBe(302);
      expect(new URL(head.headers.location!).pathname).toBe('/audio/song.mp3');
    });

    it('plays every file from its list `url` with no session at all, GET and HEAD, in the path or the key form', async () => {
      const all = await urls();
      expect(all['song.mp3']).toMatch(/^\/api\/audio\/song\.mp3\?expires=/);
      // Names a path cannot carry, or that another route takes, use the key form.
      for (const name of ['albums/2024/a b.mp3', 'list', '100%.mp3', 'what?.mp3', 'metadata']) {
        expect(all[name], name).toMatch(/^\/api\/audio\?filename=[^&]+&expires=\d+&signature=/);
      }
      expect(all["it's (1).wav"]).toMatch(/^\/api\/audio\/it%27s%20%281%29\.wav\?/);
      for (const name of NAMES) {
        for (const method of ['GET', 'HEAD']) {
          const res = await call(method, all[name]);
          expect(res.status, `${method} ${name}`).toBe(302);
          const location = new URL(res.headers.location!);
          expect(decodeURIComponent(location.pathname), name).toBe(`/audio/${name}`);
        }
        const bytes = await fetch((await call('GET', all[name])).headers.location!);
        expect(Buffer.from(await bytes.arrayBuffer()), name).toEqual(BYTES);
      }
    });

    it('refuses a missing signature (401), a tampered, borrowed or expired one (403), before reading the store', async () => {
      const all = await urls();
      const signed = new URL(all['song.mp3'], 'https://api.example.com');
      const reads: string[] = [];
      const store = h.deps.store;
      h.deps.store = new Proxy(store, {
        get: (target, name, receiver) => {
          const value = Reflect.get(target, name, receiver);
          return typeof value === 'function'
            ? (...args: unknown[]) => {
                reads.push(String(name));
                return value.apply(target, args);
              }
            : value;
        },
      });
      const none = await call('GET', '/api/audio/song.mp3');
      expect(none.status).toBe(401);
      expect(none.body.detail).toMatch(/log in, or play the file from its signed `url`/);
      const tampered = `/api/audio/song.mp3?expires=${signed.searchParams.get('expires')}&signature=${'A'.repeat(22)}`;
      expect((await call('GET', tampered)).status).toBe(403);
      const later = `/api/audio/song.mp3?expires=${Number(signed.searchParams.get('expires')) + 3600}&signature=${signed.searchParams.get('signature')}`;
      expect((await call('GET', later)).status).toBe(403);
      // The signature of another file does not open this one.
      const other = new URL(all["it's (1).wav"], 'https://api.example.com');
      expect((await call('GET', `/api/audio/song.mp3${other.search}`)).status).toBe(403);
      const past = Math.floor(Date.now() / 1000) - 60;
      const expired = await call(
        'GET',
        `/api/audio/song.mp3?${signedQuery(await streamKey(h.deps), 'song.mp3', past)}`,
      );
      expect(expired.status).toBe(403);
      expect(expired.body.detail).toMatch(/expired at .*get a fresh one from GET \/api\/audio\/list/);
      expect(reads).toEqual([]);
      h.deps.store = store;
      // A bad token is no session: the signature still decides.
      expect((await call('GET', all['song.mp3'], { token: 'garbage' })).status).toBe(302);
      expect((await call('GET', '/api/audio/song.mp3', { token: 'garbage' })).status).toBe(401);
    });

    it('answers 404 for a file it does not know, with a session or a signature', async () => {
      expect((await call('GET', '/api/audio/ghost.mp3', { token })).status).toBe(404);
      const signed = signedQuery(await streamKey(h.deps), 'ghost.mp3', Math.floor(Date.now() / 1000) + 600);
      const res = await call('GET', `/api/audio/ghost.mp3?${signed}`);
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(/ghost\.mp3.*not found/);
    });

    it('derives its key from the JWT key: a URL signed under another key is refused', async () => {
      const url = (await urls())['song.mp3'];
      await h.close();
      await open({ JWT_SECRET: `${JWT_SECRET}-rotated` });
      expect((await call('GET', url)).status).toBe(403);
      expect((await call('GET', (await urls())['song.mp3'])).status).toBe(302);
    });
  });

  describe('PUBLIC_AUDIO=true (the Python service’s behaviour)', () => {
    beforeEach(() => open({ PUBLIC_AUDIO: 'true' }));

    it('streams any known file to anyone, and the list gives plain URLs', async () => {
      const all = await urls();
      expect(all['song.mp3']).toBe('/api/audio/song.mp3');
      expect(all['albums/2024/a b.mp3']).toBe('/api/audio?filename=albums%2F2024%2Fa%20b.mp3');
      expect((await call('GET', '/api/audio/song.mp3')).status).toBe(302);
      expect((await call('HEAD', all['albums/2024/a b.mp3'])).status).toBe(302);
      expect((await call('GET', '/api/audio/ghost.mp3')).status).toBe(404);
      const status = await call('GET', '/api/status');
      expect(status.body.features.public_audio).toBe(true);
    });
  });
});
