import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../errors.js';
import { TranscriberUnavailableError } from '../ingest/errors.js';
import type {
  StartTranscriptionRequest,
  Transcriber,
  TranscriptionJob,
  TranscriptionJobState,
} from '../ingest/ports.js';
import { onPath, runProgram } from '../programs.js';

export const INSTALL_HINT =
  'Local transcription needs pocketsphinx and ffmpeg: install pocketsphinx, pocketsphinx-en-us and ffmpeg (sudo apt-get install pocketsphinx pocketsphinx-en-us ffmpeg), or set TRANSCRIBER=aws.';

export interface PocketsphinxOptions {
  s3: S3Client;
  /** Where media and job results are kept; results survive the process so `npm run invoke` can read them. */
  workDir?: string;
  /** Executables, looked up on PATH. */
  pocketsphinx?: string;
  ffmpeg?: string;
  /** Jobs transcribed at once (each is a CPU-bound child process). */
  concurrency?: number;
  /** Kills a child process that runs longer than this. */
  timeoutMs?: number;
}

interface JobRecord {
  state: TranscriptionJobState;
  text?: string;
  failureReason?: string;
}

/**
 * Local transcriber: downloads the object, converts it with ffmpeg to 16 kHz mono 16-bit WAV and
 * runs `pocketsphinx_continuous -infile x.wav -logfn /dev/null` (Debian's pocketsphinx 0.8), whose
 * stdout is the text. `start` runs the job in the background and `check` reports IN_PROGRESS
 * until it is done, like AWS Transcribe.
 */
export class PocketsphinxTranscriber implements Transcriber {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private readonly workDir: string;
  private readonly pocketsphinx: string;
  private readonly ffmpeg: string;
  private readonly concurrency: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: PocketsphinxOptions) {
    this.workDir = options.workDir ?? join(tmpdir(), 'audio-ingest-transcriber');
    this.pocketsphinx = options.pocketsphinx ?? 'pocketsphinx_continuous';
    this.ffmpeg = options.ffmpeg ?? 'ffmpeg';
    this.concurrency = options.concurrency ?? Math.max(1, availableParallelism());
    this.timeoutMs = options.timeoutMs ?? 30 * 60_000;
  }

  async start(request: StartTranscriptionRequest): Promise<TranscriptionJob> {
    const known = await this.find(request.jobName);
    if (known) return toJob(request.jobName, known);
    const missing = await this.missingCommands();
    if (missing.length > 0)
      throw new TranscriberUnavailableError(`${missing.join(' and ')} not found. ${INSTALL_HINT}`);
    this.jobs.set(request.jobName, { state: 'IN_PROGRESS' });
    const done = this.transcribe(request)
      .then(
        (text) => this.finish(request.jobName, { state: 'COMPLETED', text }),
        // Only the transcription's own failure fails the job; a result that could not be written
        // is still in memory (finish), and nothing awaits this promise to rethrow to.
        (error: Error) => this.finish(request.jobName, { state: 'FAILED', failureReason: error.message }),
      )
      .catch(() => undefined)
      .finally(() => this.running.delete(request.jobName));
    this.running.set(request.jobName, done);
    return { jobName: request.jobName, state: 'IN_PROGRESS' };
  }

  async check(jobName: string): Promise<TranscriptionJob> {
    const known = await this.find(jobName);
    if (!known)
      throw new NotFoundError(`Transcription job ${jobName} does not exist (the local transcriber was restarted?).`);
    return toJob(jobName, known);
  }

  async fetchTranscript(jobName: string): Promise<string> {
    const known = await this.find(jobName);
    if (known?.state !== 'COMPLETED')
      throw new NotFoundError(`Transcription job ${jobName} has no transcript (state ${known?.state ?? 'unknown'}).`);
    return known.text ?? '';
  }

  async discardTranscript(jobName: string): Promise<void> {
    this.jobs.delete(jobName);
    await rm(this.resultPath(jobName), { force: true });
  }

  /** Resolves when a job started by this instance has finished (tests, graceful shutdown). */
  async settled(jobName?: string): Promise<void> {
    if (jobName) await this.running.get(jobName);
    else await Promise.all(this.running.values());
  }

  private async find(jobName: string): Promise<JobRecord | undefined> {
    const inMemory = this.jobs.get(jobName);
    if (inMemory) return inMemory;
    try {
      const stored = JSON.parse(await readFile(this.resultPath(jobName), 'utf8')) as JobRecord;
      this.jobs.set(jobName, stored);
      return stored;
    } catch {
      return undefined;
    }
  }

  /**
   * The job's end is seen (in memory) only once its result is on disk: a job reported finished is
   * never lost by a restart, and a discard right after cannot race the write. If the write fails,
   * this process still knows the result (a restart would run the job again).
   */
  private async finish(jobName: string, record: JobRecord): Promise<void> {
    try {
      await mkdir(this.workDir, { recursive: true });
      const path = this.resultPath(jobName);
      await writeFile(`${path}.tmp`, JSON.stringify(record));
      await rename(`${path}.tmp`, path);
    } finally {
      this.jobs.set(jobName, record);
    }
  }

  private resultPath(jobName: string): string {
    return join(this.workDir, `${jobName}.json`);
  }

  private async missingCommands(): Promise<string[]> {
    const found = await Promise.all(
      [this.pocketsphinx, this.ffmpeg].map(async (name) => ((await onPath(name)) ? null : name)),
    );
    return found.filter((name): name is string => name !== null);
  }

  private async transcribe(request: { jobName: string; bucket: string; key: string }): Promise<string> {
    await this.slot();
    const dir = join(this.workDir, `${request.jobName}.work`);
    try {
      await mkdir(dir, { recursive: true });
      const media = join(dir, 'media');
      const wav = join(dir, 'audio.wav');
      const object = await this.options.s3.send(new GetObjectCommand({ Bucket: request.bucket, Key: request.key }));
      await pipeline(object.Body as Readable, createWriteStream(media));
      await this.exec(
        this.ffmpeg,
        ['-nostdin', '-loglevel', 'error', '-y', '-i', media, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', wav],
        'ffmpeg could not convert the file to WAV',
      );
      const stdout = await this.exec(
        this.pocketsphinx,
        ['-infile', wav, '-logfn', '/dev/null'],
        `pocketsphinx failed (is pocketsphinx-en-us installed?)`,
      );
      return stdout
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .join(' ');
    } finally {
      await rm(dir, { recursive: true, force: true });
      this.release();
    }
  }

  private exec(command: string, args: string[], failure: string): Promise<string> {
    return runProgram(command, args, { failure, timeoutMs: this.timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  }

  private async slot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

function toJob(jobName: string, record: JobRecord): TranscriptionJob {
  return { jobName, state: record.state, ...(record.failureReason ? { failureReason: record.failureReason } : {}) };
}
