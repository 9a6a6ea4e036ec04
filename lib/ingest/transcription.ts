import type { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AppMetrics } from '../observability.js';
import { normalizeSequencer } from '../store/common.js';
import type { AudioRecord, Store } from '../store/store.js';
import { classifyTransient } from './errors.js';
import { shortHash, TRANSCRIPTS_PREFIX, transcriptionJobName } from './keys.js';
import type { IngestInput, Transcriber, TranscriptionJobState } from './ports.js';
import type { Registered } from './register.js';

/**
 * The transcription steps: start (row → processing, job started or adopted), check (one poll,
 * counted), complete (transcript stored, row → completed). Each is safe to retry and never moves
 * a row that a newer upload, a finished run or a delete has taken over.
 */

/** Transcripts larger than this go to S3 with a pointer on the row (DynamoDB items ≤ 400 KB). */
export const MAX_INLINE_TRANSCRIPT_BYTES = 350 * 1024;

type Log = Pick<Logger, 'info' | 'warn'>;

/** StartTranscription's result, at `$.job`. */
export interface JobRef {
  jobName: string;
  /** True when the run must end quietly: the row was deleted, superseded, or already finished. */
  stale: boolean;
  reason?: string;
}

/** Why the row no longer belongs to this run, or undefined when it does. */
function ownership(row: AudioRecord | undefined, input: IngestInput): string | undefined {
  if (!row) return 'the audio file was deleted';
  const sequencer = normalizeSequencer(input.sequencer);
  if (sequencer && row.sequencer && row.sequencer !== sequencer) return 'a newer upload of this key took over';
  return undefined;
}

/**
 * Moves the row to `processing` (guarded by the upload's sequencer) and starts the job under its
 * deterministic name. A retry after a crash finds the row `processing` and adopts the job.
 */
export async function startTranscription(
  input: IngestInput & { registered?: Registered },
  deps: { store: Store; transcriber: Transcriber; logger: Log },
): Promise<JobRef> {
  const jobName = transcriptionJobName(input);
  let row = await deps.store.getAudioFile(input.key);
  const lost = ownership(row, input);
  if (lost) return quietJob(deps, jobName, input, lost);
  if (row?.transcriptStatus === 'pending') {
    try {
      row = await deps.store.setTranscriptStatus({
        filename: input.key,
        status: 'processing',
        sequencer: input.sequencer,
      });
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
      row = await deps.store.getAudioFile(input.key);
      const lostNow = ownership(row, input);
      if (lostNow) return quietJob(deps, jobName, input, lostNow);
    }
  }
  if (row?.transcriptStatus !== 'processing') {
    return quietJob(deps, jobName, input, `the transcript is already ${row?.transcriptStatus}`);
  }
  const mediaFormat = input.registered?.mediaFormat;
  if (!mediaFormat) throw new Error('StartTranscription needs $.registered.mediaFormat from RegisterUpload.');
  const job = await deps.transcriber.start({ jobName, bucket: input.bucket, key: input.key, mediaFormat });
  deps.logger.info('Transcription started', { key: input.key, jobName, state: job.state });
  return { jobName, stale: false };
}

function quietJob(deps: { logger: Log }, jobName: string, input: IngestInput, reason: string): JobRef {
  deps.logger.info('Transcription not started', { key: input.key, jobName, reason });
  return { jobName, stale: true, reason };
}

/** CheckTranscription's result, at `$.check`. */
export interface CheckResult {
  state: TranscriptionJobState;
  /** Polls so far, this one included; the ASL compares it with maxAttempts. */
  attempts: number;
  maxAttempts: number;
  /** The engine's reason when FAILED, kept even when empty; null otherwise. */
  failureReason: string | null;
}

/** One poll of the job; counts attempts so the state machine's loop is bounded. */
export async function checkTranscription(
  input: { job: JobRef; check?: Partial<CheckResult> },
  deps: { transcriber: Transcriber; maxAttempts: number },
): Promise<CheckResult> {
  const job = await deps.transcriber.check(input.job.jobName);
  const attempts = (input.check?.attempts ?? 0) + 1;
  return {
    state: job.state,
    attempts,
    maxAttempts: deps.maxAttempts,
    failureReason: job.failureReason ?? null,
  };
}

/** CompleteTranscription's result, at `$.completed`. */
export interface Completed {
  status: 'completed' | 'skipped';
  reason?: string;
  /** Characters of transcript stored. */
  chars?: number;
  transcriptS3Key?: string;
}

/** Where a transcript too big for the row is kept. */
export function transcriptObjectKey(filename: string): string {
  const key = `${TRANSCRIPTS_PREFIX}${filename}.txt`;
  // S3 keys are at most 1,024 bytes; a filename near that limit gets a hashed name instead.
  return Buffer.byteLength(key, 'utf8') <= 1024 ? key : `${TRANSCRIPTS_PREFIX}${shortHash([filename], 40)}.txt`;
}

/**
 * Stores the transcript and marks the row `completed` (the store sets transcribed_at). A big
 * transcript goes to S3 with a pointer. A deleted or superseded row is left alone: nothing is
 * resurrected, and an S3 copy written meanwhile is removed.
 */
export async function completeTranscription(
  input: IngestInput & { job: JobRef },
  deps: {
    store: Store;
    transcriber: Transcriber;
    s3: S3Client;
    logger: Log;
    metrics?: Pick<AppMetrics, 'transcriptionCompleted'>;
  },
): Promise<Completed> {
  const row = await deps.store.getAudioFile(input.key);
  const lost = ownership(row, input);
  if (lost) {
    await discardOutput(deps, input);
    return skipped(deps, input, lost);
  }
  if (row?.transcriptStatus === 'completed') {
    // A retry after the text was stored: what may still be left is the job's output.
    await discardOutput(deps, input);
    return skipped(deps, input, 'already completed');
  }

  const text = await deps.transcriber.fetchTranscript(input.job.jobName);
  let transcriptS3Key: string | null = null;
  if (Buffer.byteLength(text, 'utf8') > MAX_INLINE_TRANSCRIPT_BYTES) {
    transcriptS3Key = transcriptObjectKey(input.key);
    await send(
      deps.s3,
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: transcriptS3Key,
        Body: text,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
  }
  try {
    await deps.store.updateTranscript({
      filename: input.key,
      transcript: transcriptS3Key ? null : text,
      transcriptS3Key,
      // A transcript kept in S3 is still word-searchable: the store indexes this text.
      ...(transcriptS3Key ? { searchText: text } : {}),
      status: 'completed',
      sequencer: input.sequencer,
    });
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
    const now = await deps.store.getAudioFile(input.key);
    // Only a deleted row's copy is ours to remove; a newer upload may be writing the same key.
    if (transcriptS3Key && !now) {
      await send(deps.s3, new DeleteObjectCommand({ Bucket: input.bucket, Key: transcriptS3Key }));
    }
    await discardOutput(deps, input);
    return skipped(deps, input, ownership(now, input) ?? `the transcript is already ${now?.transcriptStatus}`);
  }
  deps.logger.info('Transcript stored', { key: input.key, chars: text.length, transcriptS3Key });
  await discardOutput(deps, input);
  // The row's last change was its move to processing: the transcription took since then.
  deps.metrics?.transcriptionCompleted(row ? (Date.now() - Date.parse(row.updatedAt)) / 1000 : undefined);
  return { status: 'completed', chars: text.length, ...(transcriptS3Key ? { transcriptS3Key } : {}) };
}

/**
 * The job's output is discarded once the row holds its text (nothing reads it again, and no
 * lifecycle rule expires it). Failing to is not the upload's failure: the text is stored, so the
 * step still succeeds, and the warning names the object left behind.
 */
async function discardOutput(deps: { transcriber: Transcriber; logger: Log }, input: { key: string; job: JobRef }) {
  try {
    await deps.transcriber.discardTranscript(input.job.jobName);
  } catch (error) {
    deps.logger.warn('Transcription output not discarded', {
      key: input.key,
      jobName: input.job.jobName,
      error: (error as Error).message,
    });
  }
}

function skipped(deps: { logger: Log }, input: IngestInput, reason: string): Completed {
  deps.logger.warn('Transcript not stored', { key: input.key, reason });
  return { status: 'skipped', reason };
}

async function send(s3: S3Client, command: PutObjectCommand | DeleteObjectCommand): Promise<void> {
  try {
    await s3.send(command as PutObjectCommand);
  } catch (error) {
    throw classifyTransient(error);
  }
}
