import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocal } from '../../lib/local/start.js';
import { keyForm, pathForm, ROUND_TRIP_NAMES, travelsInPath } from '../helpers/filenames.js';
import { hasCommand, instantFakeTranscriber, makeSpeech } from '../helpers/local-stack.js';
import { until } from '../helpers/until.js';
import { call } from '../integration/api/harness.js';

/**
 * Every name of the round-trip table through the whole life of a file: a presigned upload, the
 * pipeline, the list, metadata, transcript, the stream and delete. Once through `npm start`'s
 * HTTP server, once with the events API Gateway sends fed to the handlers (on the same local
 * stack). Transcription is an instant fake: what is tested is the name, not the speech.
 */
const TRANSCRIPT = 'instant fake transcript';
const missing = ['espeak-ng', 'lame'].filter((tool) => !hasCommand(tool));
let audio: Buffer;
let audioDir: string;

beforeAll(() => {
  audioDir = mkdtempSync(join(tmpdir(), 'filenames-audio-'));
  if (missing.length === 0) audio = makeSpeech(audioDir, 'one two three', 'mp3').bytes;
});
afterAll(() => rmSync(audioDir, { recursive: true, force: true }));

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read field by field
  body: any;
  headers: Record<string, string>;
}
type Send = (method: string, target: string, options?: { token?: string; body?: unknown }) => Promise<Answer>;

function roundTrip(label: string, sender: (stack: LocalStack) => Send) {
  describe.skipIf(missing.length > 0)(`${label} (needs ${missing.join(', ') || 'nothing missing'})`, () => {
    let stack: LocalStack;
    let send: Send;
    let token: string;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'filenames-e2e-'));
      stack = await startLocal({
        port: 0,
        log: () => {},
        env: {
          DATA_DIR: dataDir,
          ADMIN_PASSWORD: 'round trip admin password',
          LOG_LEVEL: 'SILENT',
          LOCAL_WAIT_MS: '5',
        },
        overrides: { transcriber: instantFakeTranscriber(TRANSCRIPT) },
      });
      send = sender(stack);
      const login = await send('POST', '/api/user/login', {
        body: { username: 'admin', password: 'round trip admin password' },
      });
      token = login.body.access_token;
    }, 60_000);
    afterAll(async () => {
      await stack?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it.each(ROUND_TRIP_NAMES)(
      '%s: upload-url → pipeline → list → metadata → transcript → stream → delete',
      async (name) => {
        const ticket = await send('POST', '/api/audio/upload-url', {
          token,
          body: { filename: name, content_type: 'audio/mpeg' },
        });
        expect(ticket.status).toBe(200);
        const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: audio });
        expect(put.status).toBe(200);

        const metadata = keyForm('/api/audio/{filename}/metadata', name);
        const done = await until(
          () => send('GET', metadata, { token }),
          (res) => res.status === 200 && ['completed', 'failed'].includes(res.body.transcript_status),
          30_000,
        );
        expect(done.body).toMatchObject({
          filename: name,
          transcript_status: 'completed',
          size: audio.length,
          has_transcript: true,
        });
        if (travelsInPath(name)) {
          const byPath = await send('GET', pathForm('/api/audio/{filename}/metadata', name), { token });
          expect(byPath.body.filename).toBe(name);
        }

        const list = await send('GET', '/api/audio/list', { token });
        const listed = list.body.files.find((file: { filename: string }) => file.filename === name);
        expect(listed).toMatchObject({ filename: name, transcript: { status: 'completed', has_transcript: true } });
        expect(listed.url).toBe(done.body.url);

        const transcript = await send('GET', keyForm('/api/audio/{filename}/transcript', name), { token });
        expect(transcript.body).toMatchObject({ filename: name, transcript: TRANSCRIPT, status: 'completed' });

        // The list's url plays the file with no session, and the redirect serves exactly its bytes.
        const stream = await send('GET', listed.url);
        expect(stream.status).toBe(302);
        const bytes = await fetch(stream.headers.location!);
        expect(Buffer.from(await bytes.arrayBuffer())).toEqual(audio);

        const deleted = await send('DELETE', keyForm('/api/audio/{filename}', name), { token });
        expect(deleted.body).toMatchObject({ success: true, filename: name });
        await expect(stack.deps.s3!.send(new HeadObjectCommand({ Bucket: 'audio', Key: name }))).rejects.toMatchObject({
          name: 'NotFound',
        });
        expect((await send('GET', metadata, { token })).status).toBe(404);
        const after = await send('GET', '/api/audio/list', { token });
        expect(after.body.files.map((file: { filename: string }) => file.filename)).not.toContain(name);
      },
    );
  });
}

roundTrip('filenames through npm start (real HTTP)', (stack) => async (method, target, options = {}) => {
  const response = await fetch(`${stack.urls.api}${target}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const json = response.headers.get('content-type')?.includes('json');
  return {
    status: response.status,
    body: json ? await response.json() : undefined,
    headers: Object.fromEntries(response.headers),
  };
});

roundTrip(
  'filenames with the events API Gateway sends, to the handlers',
  () =>
    (method, target, options = {}) =>
      call(method, target, {
        ...(options.token ? { token: options.token } : {}),
        ...(options.body ? { body: options.body } : {}),
      }),
);
