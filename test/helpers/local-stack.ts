import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type Config, loadConfig } from '../../lib/config.js';
import type { Transcriber, TranscriptionJob } from '../../lib/ingest/ports.js';
import { type LocalPipeline, type LocalPipelineOptions, startPipeline } from '../../lib/local/pipeline.js';
import type { AudioRecord } from '../../lib/store/store.js';

/**
 * The local stack for pipeline tests: s3rver on a free port, SQLite (or dynalite) in a temp
 * DATA_DIR, the real functions and ASL file, short waits, and a real S3 client.
 */
export interface LocalStack {
  pipeline: LocalPipeline;
  s3: S3Client;
  bucket: string;
  dataDir: string;
  /** PUT through the S3 API, then wait until the pipeline is idle; returns the row. */
  upload(key: string, body: Uint8Array | string): Promise<AudioRecord | undefined>;
  row(filename: string): Promise<AudioRecord | undefined>;
  close(): Promise<void>;
}

export interface LocalStackOptions extends Omit<LocalPipelineOptions, 'config'> {
  env?: Record<string, string>;
}

/** Starts the pipeline in a fresh temp DATA_DIR; `env` overrides configuration. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
  const config: Config = loadConfig({
    DATA_DIR: dataDir,
    S3_PORT: '0',
    AUDIO_BUCKET: 'audio',
    LOG_LEVEL: 'SILENT',
    LOCAL_WAIT_MS: '5',
    LOCAL_RETRY_MS: '1',
    TRANSCRIBER: 'local',
    ...options.env,
  });
  const { env: _env, ...pipelineOptions } = options;
  const pipeline = await startPipeline({ ...pipelineOptions, config });
  const s3 = pipeline.s3.client();
  const bucket = config.AUDIO_BUCKET;
  const row = (filename: string) => pipeline.deps.store.getAudioFile(filename);
  return {
    pipeline,
    s3,
    bucket,
    dataDir,
    row,
    upload: async (key, body) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      await pipeline.settled();
      return row(key);
    },
    close: async () => {
      s3.destroy();
      await pipeline.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A stand-in transcriber that finishes at once with a made-up transcript (never real speech). */
export function instantFakeTranscriber(
  text = 'instant fake transcript',
): Transcriber & { started: string[]; discarded: string[] } {
  const jobs = new Map<string, TranscriptionJob>();
  const started: string[] = [];
  const discarded: string[] = [];
  return {
    started,
    discarded,
    start: async ({ jobName }) => {
      started.push(jobName);
      const job: TranscriptionJob = { jobName, state: 'COMPLETED' };
      jobs.set(jobName, job);
      return job;
    },
    check: async (jobName) => jobs.get(jobName) ?? { jobName, state: 'FAILED', failureReason: 'no such job' },
    fetchTranscript: async () => text,
    discardTranscript: async (jobName) => {
      discarded.push(jobName);
    },
  };
}

/** A fake transcriber whose jobs stay IN_PROGRESS forever, to exercise the poll loop's bound. */
export function neverFinishingFakeTranscriber(): Transcriber & { checks: number } {
  const fake = {
    checks: 0,
    start: async ({ jobName }: { jobName: string }): Promise<TranscriptionJob> => ({ jobName, state: 'IN_PROGRESS' }),
    check: async (jobName: string): Promise<TranscriptionJob> => {
      fake.checks++;
      return { jobName, state: 'IN_PROGRESS' };
    },
    fetchTranscript: async (): Promise<string> => {
      throw new Error('the never-finishing fake transcriber has no transcript');
    },
    discardTranscript: async (): Promise<void> => {},
  };
  return fake;
}

/** Whether a command-line tool is installed (tests needing it are skipped otherwise). */
export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Speech made with espeak-ng as WAV (or MP3 via lame); its bytes and its duration per sox. */
export function makeSpeech(dir: string, text: string, format: 'wav' | 'mp3'): { bytes: Buffer; seconds: number } {
  const wav = join(dir, `speech-${Date.now()}.wav`);
  execFileSync('espeak-ng', ['-w', wav, text]);
  let path = wav;
  if (format === 'mp3') {
    path = wav.replace(/\.wav$/, '.mp3');
    execFileSync('lame', ['--quiet', wav, path]);
  }
  return { bytes: readFileSync(path), seconds: soxSeconds(path) };
}

/** Real duration according to sox (`sox --i -D`); an MP3 is decoded with lame first (sox here has no MP3 reader). */
export function soxSeconds(path: string): number {
  let wav = path;
  if (path.endsWith('.mp3')) {
    wav = path.replace(/\.mp3$/, '.decoded.wav');
    execFileSync('lame', ['--quiet', '--decode', path, wav]);
  }
  return Number.parseFloat(execFileSync('sox', ['--i', '-D', wav], { encoding: 'utf8' }).trim());
}
