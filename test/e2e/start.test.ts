import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalStack, startLocal } from '../../lib/local/start.js';
import { silentWav } from '../helpers/audio.js';
import { instantFakeTranscriber } from '../helpers/local-stack.js';
import { until } from '../helpers/until.js';

/**
 * `npm start` as a developer uses it: one process with the API, the S3 endpoint and the pipeline.
 * An upload with any S3 client, or with a presigned URL from the API, shows up as `completed`
 * through `GET /api/audio/{filename}`. (Transcription is the instant fake; real speech is tested
 * in real-speech.test.ts.)
 */
const PASSWORD = 'local-admin-password-for-tests';
let dataDir: string;
let local: LocalStack;
let token: string;

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${local.urls.api}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A PUT from a plain S3 client with made-up credentials, as `aws s3 cp` with any profile does. */
async function uploadWithAnyClient(key: string, body: Uint8Array): Promise<void> {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: local.urls.s3,
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIAANYPROFILE', secretAccessKey: 'whatever' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await client.send(new PutObjectCommand({ Bucket: 'audio', Key: key, Body: body }));
  client.destroy();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'start-'));
  local = await startLocal({
    port: 0,
    env: { DATA_DIR: dataDir, ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'SILENT', LOCAL_WAIT_MS: '5' },
    log: () => {},
    overrides: { transcriber: instantFakeTranscriber() },
  });
  const login = await api('/api/user/login', {
    method: 'POST',
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  token = String(login.body.access_token);
});
afterAll(async () => {
  await local?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('an upload from any S3 client to the local endpoint ends completed in the API', async () => {
  expect(local.urls.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await uploadWithAnyClient('song (live).wav', silentWav(2));
  const { status, body } = await until(
    () => api(`/api/audio/${encodeURIComponent('song (live).wav')}/metadata`),
    (r) => r.body.transcript_status === 'completed',
  );
  expect(status).toBe(200);
  expect(body).toMatchObject({
    filename: 'song (live).wav',
    transcript_status: 'completed',
    duration: 2,
    has_transcript: true,
  });
});

it('a presigned upload URL from the API points at the local endpoint and runs the pipeline', async () => {
  const presigned = await api('/api/audio/upload-url', {
    method: 'POST',
    body: JSON.stringify({ filename: 'browser upload.wav', content_type: 'audio/wav' }),
  });
  expect(presigned.status).toBe(200);
  expect(String(presigned.body.url).startsWith(`${local.urls.s3}/audio/`)).toBe(true);
  const put = await fetch(String(presigned.body.url), {
    method: 'PUT',
    body: silentWav(1),
    headers: presigned.body.headers as Record<string, string>,
  });
  expect(put.status).toBe(200);
  const { body } = await until(
    () => api(`/api/audio/${encodeURIComponent('browser upload.wav')}/metadata`),
    (r) => r.body.transcript_status === 'completed',
  );
  expect(body.transcript_status).toBe('completed');
});

it('serves the execution history as JSON at /local/executions', async () => {
  await uploadWithAnyClient('history.wav', silentWav(1));
  const list = await until(
    async () =>
      (await (await fetch(`${local.urls.api}/local/executions`)).json()) as {
        executions: Array<{ name: string; status: string; input?: { key?: string } }>;
      },
    (body) => body.executions.some((e) => e.name.startsWith('history-wav') && e.status === 'SUCCEEDED'),
  );
  const run = list.executions.find((e) => e.name.startsWith('history-wav'));
  expect(run?.status).toBe('SUCCEEDED');

  const one = await fetch(`${local.urls.api}/local/executions/${encodeURIComponent(run?.name ?? '')}`);
  expect(one.status).toBe(200);
  const detail = (await one.json()) as { name: string; status: string };
  expect(detail).toMatchObject({ name: run?.name, status: 'SUCCEEDED' });
  expect(JSON.stringify(detail)).toContain('RegisterUpload');

  const missing = await fetch(`${local.urls.api}/local/executions/no-such-run`);
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { detail: string }).detail).toBeTruthy();
  const bad = await fetch(`${local.urls.api}/local/executions?status=sideways`);
  expect(bad.status).toBe(400);
});

it('refuses a second start on a port in use, naming the port and the fix, and leaves the first running', async () => {
  const port = Number(new URL(local.urls.api ?? '').port);
  const dir = mkdtempSync(join(tmpdir(), 'start-busy-'));
  try {
    await expect(
      startLocal({
        port,
        s3Port: 0,
        env: { DATA_DIR: dir, ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'SILENT' },
        log: () => {},
        overrides: { transcriber: instantFakeTranscriber() },
      }),
    ).rejects.toThrow(`API port ${port} is already in use: stop the other process or set PORT to a free port.`);
    expect((await fetch(`${local.urls.api}/api/health`)).status).toBe(200);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
