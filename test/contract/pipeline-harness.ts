import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { type Config, loadConfig } from '../../lib/config.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { createS3Client } from '../../lib/s3-client.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';

/**
 * A real S3 wire protocol (s3rver on a free port) and a real SQLite file in a temp dir, for the
 * pipeline steps in lib/ingest. Each test file starts its own.
 */
export interface Harness {
  dir: string;
  s3: S3Client;
  store: Store;
  config: Config;
  logger: Logger;
  bucket: string;
  /** PUTs an object; returns what the S3 event would carry (etag bare, a fresh sequencer). */
  put(key: string, body: Buffer | string, contentType?: string): Promise<IngestInput>;
  getText(key: string): Promise<string>;
  close(): Promise<void>;
}

let sequence = 0;
/** Increasing S3-style sequencers (hex), so later puts are later events. */
export function nextSequencer(): string {
  sequence += 1;
  return (0x0064d3901d00000000n + BigInt(Date.now()) * 1000n + BigInt(sequence))
    .toString(16)
    .toUpperCase()
    .padStart(18, '0');
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-'));
  const bucket = 'audio';
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const config = loadConfig({
    AUDIO_BUCKET: bucket,
    LOG_LEVEL: 'SILENT',
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    ...env,
  });
  const s3 = createS3Client(config);
  const store = openSqliteStore(join(dir, 'local.db'));
  const logger = new Logger({ serviceName: 'pipeline-test', logLevel: 'SILENT' });
  return {
    dir,
    s3,
    store,
    config,
    logger,
    bucket,
    async put(key, body, contentType) {
      const response = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      );
      const etag = (response.ETag ?? '').replace(/"/g, '');
      const sequencer = nextSequencer();
      return { bucket, key, sequencer, etag, size: Buffer.byteLength(body), execution: `run-${sequencer}` };
    },
    async getText(key) {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await response.Body?.transformToString('utf-8')) ?? '';
    },
    async close() {
      await store.close();
      s3.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Speech from espeak-ng as WAV (and MP3 via lame when asked), in `dir`. */
export function speech(dir: string, text: string, format: 'wav' | 'mp3' = 'wav'): Promise<Buffer> {
  const wav = join(dir, `speech-${sequence++}.wav`);
  execFileSync('espeak-ng', ['-w', wav, text]);
  if (format === 'wav') return readFile(wav);
  const mp3 = wav.replace(/\.wav$/, '.mp3');
  execFileSync('lame', ['--quiet', wav, mp3]);
  return readFile(mp3);
}

/** A tone of `seconds` made by ffmpeg, e.g. a large WAV or MP3 for the ranged-read check. */
export function tone(dir: string, seconds: number, format: 'wav' | 'mp3'): Promise<Buffer> {
  const file = join(dir, `tone-${sequence++}.${format}`);
  const codec = format === 'mp3' ? ['-b:a', '128k'] : ['-ar', '44100', '-ac', '2'];
  execFileSync('ffmpeg', [
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    ...codec,
    file,
  ]);
  return readFile(file);
}
