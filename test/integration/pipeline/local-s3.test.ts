import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, type LocalS3Event, startLocalS3 } from '../../../lib/local/s3.js';

let dir: string;
let s3: LocalS3;
const events: LocalS3Event[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-s3-'));
  s3 = await startLocalS3({ port: 0, dataDir: dir, bucket: 'audio', onEvent: (event) => events.push(event) });
});
afterAll(async () => {
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local S3 endpoint', () => {
  it('stores a streamed PUT with its exact size and emits an ObjectCreated record with the raw key', async () => {
    const client = s3.client();
    const key = 'my song (1)+b.mp3';
    await client.send(new PutObjectCommand({ Bucket: 'audio', Key: key, Body: Buffer.alloc(70_000, 7) }));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'audio', Key: key }));
    expect(head.ContentLength).toBe(70_000);
    const record = events.at(-1)?.Records[0];
    expect(record?.eventName).toBe('ObjectCreated:Put');
    expect(record?.s3.bucket.name).toBe('audio');
    expect(record?.s3.object.key).toBe(key); // not URL-encoded, unlike AWS
    expect(record?.s3.object.size).toBe(70_000);
    expect(record?.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
  });

  it('serves ranged reads', async () => {
    const client = s3.client();
    await client.send(new PutObjectCommand({ Bucket: 'audio', Key: 'range.bin', Body: 'abcdefghij' }));
    const part = await client.send(new GetObjectCommand({ Bucket: 'audio', Key: 'range.bin', Range: 'bytes=2-4' }));
    expect(await part.Body?.transformToString()).toBe('cde');
    expect(part.ContentRange).toBe('bytes 2-4/10');
  });

  it('lets a browser PUT to a presigned URL (CORS preflight and ETag exposed)', async () => {
    const url = await getSignedUrl(s3.client(), new PutObjectCommand({ Bucket: 'audio', Key: 'from browser.wav' }), {
      expiresIn: 300,
    });
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    const put = await fetch(url, {
      method: 'PUT',
      body: 'RIFF',
      headers: { origin: 'http://localhost:3000', 'content-type': 'audio/wav' },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-expose-headers')).toMatch(/etag/i);
    expect(events.at(-1)?.Records[0]?.s3.object.key).toBe('from browser.wav');
  });

  it("accepts any client's credentials, as `aws --endpoint-url` with a developer profile sends them", async () => {
    const client = new S3Client({
      region: 'eu-west-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIADEVELOPERPROFILE', secretAccessKey: 'not-checked-locally' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await client.send(new PutObjectCommand({ Bucket: 'audio', Key: 'cli upload.mp3', Body: 'x' }));
    expect(events.at(-1)?.Records[0]?.s3.object.key).toBe('cli upload.mp3');
  });

  it('names the fix when the port is taken', async () => {
    await expect(startLocalS3({ port: s3.port, dataDir: dir, bucket: 'audio' })).rejects.toThrow(/S3_PORT/);
  });
});
