import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_INLINE_TRANSCRIPT_BYTES, transcriptObjectKey } from '../../lib/ingest/transcription.js';
import { type LocalStack, startLocal } from '../../lib/local/start.js';
import { s3Of } from '../../lib/runtime.js';
import { silentWav } from '../helpers/audio.js';
import { instantFakeTranscriber } from '../helpers/local-stack.js';
import { until } from '../helpers/until.js';

/**
 * A transcript too large for its row lives in S3 as long as the row (the bucket no longer expires
 * transcripts/), is deleted with it when the audio object is deleted, and a transcript object
 * that is missing anyway answers a clear 410 through the API, never a 500. Through `npm start`'s
 * stack: the real S3 endpoint, pipeline, on-delete function and API.
 */
const PASSWORD = 'local-admin-password-for-tests';
const LARGE = 'word '.repeat(Math.ceil(MAX_INLINE_TRANSCRIPT_BYTES / 5) + 10);
let dataDir: string;
let local: LocalStack;
let s3: S3Client;
let token: string;

async function api(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${local.urls.api}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const stored = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: 'audio', Key: key })).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'transcripts-'));
  local = await startLocal({
    port: 0,
    env: { DATA_DIR: dataDir, ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'SILENT', LOCAL_WAIT_MS: '5' },
    log: () => {},
    overrides: { transcriber: instantFakeTranscriber(LARGE) },
  });
  s3 = await s3Of(local.deps);
  const login = await fetch(`${local.urls.api}/api/user/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  token = String(((await login.json()) as { access_token: string }).access_token);
});
afterAll(async () => {
  await local?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('serves a large transcript from S3, and a missing transcript object as 410 with a message', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'audio', Key: 'long talk.wav', Body: silentWav(1) }));
  const path = `/api/audio/${encodeURIComponent('long talk.wav')}`;
  await until(
    () => api(`${path}/metadata`),
    (r) => r.body.transcript_status === 'completed',
  );
  const transcriptKey = transcriptObjectKey('long talk.wav');
  expect(await stored(transcriptKey)).toBe(true);
  const read = await api(`${path}/transcript`);
  expect(read.status).toBe(200);
  expect(read.body.transcript).toBe(LARGE);

  await s3.send(new DeleteObjectCommand({ Bucket: 'audio', Key: transcriptKey }));
  const gone = await api(`${path}/transcript`);
  expect(gone.status).toBe(410);
  expect(gone.body.detail).toMatch(/no longer stored.*Re-run the transcription/);
});

it('deleting the audio object deletes its row and its transcript object', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'audio', Key: 'to remove.wav', Body: silentWav(1) }));
  const path = `/api/audio/${encodeURIComponent('to remove.wav')}`;
  await until(
    () => api(`${path}/metadata`),
    (r) => r.body.transcript_status === 'completed',
  );
  const transcriptKey = transcriptObjectKey('to remove.wav');
  expect(await stored(transcriptKey)).toBe(true);

  await s3.send(new DeleteObjectCommand({ Bucket: 'audio', Key: 'to remove.wav' }));
  const after = await until(
    () => api(`${path}/metadata`),
    (r) => r.status === 404,
  );
  expect(after.status).toBe(404);
  expect(await stored(transcriptKey)).toBe(false);
});
