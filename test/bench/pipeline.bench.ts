/**
 * Pipeline benchmarks, all measured in this run:
 * 1. Bytes fetched from S3 (counted by an S3 client middleware on every GetObject response) to
 *    find the duration of a 100 MB MP3 and a 100 MB WAV, against the whole object.
 * 2. Local pipeline overhead per upload, from PUT to the execution's end (row final), with the
 *    transcriber replaced by an instant fake, at concurrency 1 and 16, against a bare PUT.
 *
 * `npx tsx test/bench/pipeline.bench.ts [--uploads N]` or `npm run bench -- --only pipeline`.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../../lib/config.js';
import { probeAudio } from '../../lib/ingest/probe.js';
import type { ExecutionRecord } from '../../lib/local/executions.js';
import { startPipeline } from '../../lib/local/pipeline.js';
import { startLocalS3 } from '../../lib/local/s3.js';
import { silentWav } from '../helpers/audio.js';
import { instantFakeTranscriber } from '../helpers/local-stack.js';
import { type BenchArgs, numberFlag, runIfMain } from './args.js';

const MB = 1024 * 1024;
const TARGET_BYTES = 100 * MB;
/** Generated once and kept between runs: encoding 100 MB of MP3 takes half a minute. */
const CACHE = join(tmpdir(), 'audio-ingest-bench');

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(cells[0] as string[]),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** A 100 MB WAV: 44.1 kHz 16-bit stereo PCM (silence), written in 1 MB blocks. */
function bigWav(path: string): number {
  const byteRate = 44_100 * 2 * 2;
  const dataBytes = TARGET_BYTES - 44;
  const header = silentWav(0).subarray(0, 44);
  header.writeUInt32LE(36 + dataBytes, 4);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(44_100, 24);
  header.writeUInt32LE(byteRate, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.writeUInt32LE(dataBytes, 40);
  if (!existsSync(path) || statSync(path).size !== TARGET_BYTES) {
    const fd = openSync(path, 'w');
    writeSync(fd, header);
    const block = Buffer.alloc(MB);
    for (let written = 0; written < dataBytes; written += block.length) {
      writeSync(fd, block, 0, Math.min(block.length, dataBytes - written));
    }
    closeSync(fd);
  }
  return dataBytes / byteRate;
}

/** A ~100 MB MP3 from lame: CBR 320 kbit/s of a sine tone, with lame's usual Info header. */
function bigMp3(path: string): number {
  const seconds = Math.round((TARGET_BYTES * 8) / 320_000);
  if (!existsSync(path)) {
    execFileSync('sh', [
      '-c',
      `sox -n -r 44100 -c 2 -b 16 -t wav - synth ${seconds} sine 440 | lame --quiet -q 9 -b 320 - "${path}.tmp" && mv "${path}.tmp" "${path}"`,
    ]);
  }
  return seconds;
}

/** Counts GetObject response bytes and requests made through this client. */
function countGets(client: S3Client): { bytes: number; requests: number } {
  const counter = { bytes: 0, requests: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'GetObjectCommand') {
        const headers = (result.response as { headers?: Record<string, string> }).headers ?? {};
        counter.bytes += Number(headers['content-length'] ?? 0);
        counter.requests += 1;
      }
      return result;
    },
    { step: 'deserialize', name: 'benchCountGetBytes' },
  );
  return counter;
}

async function bytesFetched(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const files = [
    { key: 'bench 100 MB.mp3', path: join(CACHE, 'bench-100mb.mp3'), make: bigMp3 },
    { key: 'bench 100 MB.wav', path: join(CACHE, 'bench-100mb.wav'), make: bigWav },
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-s3-'));
  const s3 = await startLocalS3({ port: 0, dataDir, bucket: 'audio' });
  const rows: (string | number)[][] = [];
  try {
    for (const file of files) {
      const expected = file.make(file.path);
      const body = readFileSync(file.path);
      const uploader = s3.client();
      await uploader.send(new PutObjectCommand({ Bucket: 'audio', Key: file.key, Body: body }));
      uploader.destroy();
      const client = s3.client();
      const counter = countGets(client);
      const started = performance.now();
      const probe = await probeAudio(client, 'audio', file.key);
      const ms = performance.now() - started;
      client.destroy();
      rows.push([
        file.key.slice(-3).toUpperCase(),
        `${(body.length / MB).toFixed(1)} MB`,
        kb(counter.bytes),
        counter.requests,
        (counter.bytes / body.length).toExponential(2),
        `${probe.duration?.toFixed(1) ?? 'none'} s (expected ${expected.toFixed(1)} s)`,
        `${ms.toFixed(0)} ms`,
        counter.bytes <= 256 * 1024 ? 'yes' : 'NO',
      ]);
    }
  } finally {
    await s3.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log('Bytes fetched from S3 to find the duration (baseline: the whole object)\n');
  console.log(
    table(['file', 'object size', 'fetched', 'GETs', 'fetched / whole', 'duration found', 'time', '≤ 256 KB'], rows),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function overhead(uploads: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    S3_PORT: '0',
    LOG_LEVEL: 'SILENT',
    LOCAL_WAIT_MS: '0',
    LOCAL_RETRY_MS: '0',
    LOCAL_CONCURRENCY: '16',
  });
  const pipeline = await startPipeline({ config, transcriber: instantFakeTranscriber() });
  const client = pipeline.s3.client();
  const wav = silentWav(1);
  const waiting = new Map<string, (record: ExecutionRecord) => void>();
  pipeline.machine.onSettled((record) => waiting.get((record.input as { key: string }).key)?.(record));
  let next = 0;

  /** One upload: PUT, then until its execution has ended. */
  const oneUpload = async (prefix: string): Promise<{ ms: number; status: string }> => {
    const key = `${prefix}-${next++}.wav`;
    const done = new Promise<ExecutionRecord>((resolve) => waiting.set(key, resolve));
    const started = performance.now();
    await client.send(new PutObjectCommand({ Bucket: config.AUDIO_BUCKET, Key: key, Body: wav }));
    const record = await done;
    waiting.delete(key);
    return { ms: performance.now() - started, status: record.status };
  };
  const barePut = async (): Promise<number> => {
    const started = performance.now();
    await client.send(
      new PutObjectCommand({ Bucket: config.AUDIO_BUCKET, Key: `transcripts/bare-${next++}.wav`, Body: wav }),
    );
    return performance.now() - started;
  };
  const measure = async (concurrency: number, count: number, task: () => Promise<number>) => {
    const times: number[] = [];
    let issued = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (issued < count) {
          issued++;
          times.push(await task());
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    return {
      median: percentile(times, 50),
      p95: percentile(times, 95),
      perSecond: times.length / seconds,
      n: times.length,
    };
  };

  try {
    // Warm-up: module loading, SQLite statements, first connections.
    for (let i = 0; i < 5; i++) await oneUpload('warmup');
    let failed = 0;
    const pipelineTask = (prefix: string) => async () => {
      const result = await oneUpload(prefix);
      if (result.status !== 'SUCCEEDED') failed++;
      return result.ms;
    };
    // `transcripts/` keys are ignored by on-upload, so these PUTs start no execution.
    const bare = await measure(1, uploads, barePut);
    const c1 = await measure(1, uploads, pipelineTask('c1'));
    const c16 = await measure(16, uploads * 4, pipelineTask('c16'));
    const rows = [
      [
        'bare S3 PUT (baseline)',
        1,
        bare.n,
        bare.median.toFixed(1),
        bare.p95.toFixed(1),
        bare.perSecond.toFixed(0),
        '1.0×',
      ],
      [
        'upload → final status, instant fake transcriber',
        1,
        c1.n,
        c1.median.toFixed(1),
        c1.p95.toFixed(1),
        c1.perSecond.toFixed(0),
        `${(c1.median / bare.median).toFixed(1)}×`,
      ],
      [
        'upload → final status, instant fake transcriber',
        16,
        c16.n,
        c16.median.toFixed(1),
        c16.p95.toFixed(1),
        c16.perSecond.toFixed(0),
        `${(c16.median / bare.median).toFixed(1)}×`,
      ],
    ];
    console.log(
      `\nLocal pipeline overhead per upload (SQLite store, Wait/Retry pauses set to 0 ms, ${failed} runs not SUCCEEDED)\n`,
    );
    console.log(
      table(['scenario', 'concurrency', 'uploads', 'median ms', 'p95 ms', 'uploads/s', 'median vs bare PUT'], rows),
    );
    console.log(
      `\nGoals: median ≤ 50 ms at concurrency 1 → ${c1.median <= 50 ? 'met' : 'NOT met'}; ≥ 50 uploads/s at concurrency 16 → ${
        c16.perSecond >= 50 ? 'met' : 'NOT met'
      } (throughput ×${(c16.perSecond / c1.perSecond).toFixed(1)} of concurrency 1).`,
    );
  } finally {
    client.destroy();
    await pipeline.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs both benchmarks; `--uploads N` sets uploads per scenario (default 50; ×4 at concurrency 16). */
export async function run(args: BenchArgs): Promise<void> {
  const uploads = numberFlag(args.argv, '--uploads', 50);
  await bytesFetched();
  await overhead(uploads);
}

runIfMain(import.meta, run);
