import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type TranscriptionJob as AwsJob,
  GetTranscriptionJobCommand,
  type LanguageCode,
  type MediaFormat,
  StartTranscriptionJobCommand,
  type TranscribeClient,
} from '@aws-sdk/client-transcribe';
import { NotFoundError } from '../errors.js';
import { classifyTransient, TranscribeThrottledError } from '../ingest/errors.js';
import { TRANSCRIPTS_PREFIX } from '../ingest/keys.js';
import type { StartTranscriptionRequest, Transcriber, TranscriptionJob } from '../ingest/ports.js';

/** Errors Transcribe answers when it is busy: retried with backoff by the state machine, never a failure. */
const BUSY = new Set([
  'LimitExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalFailureException',
  'ServiceUnavailableException',
]);

export interface AwsTranscriberOptions {
  transcribe: TranscribeClient;
  s3: S3Client;
  /** Bucket the transcript JSON is written to (the audio bucket, under `transcripts/`). */
  outputBucket: string;
  languageCode: string;
}

/** Where Transcribe writes a job's JSON output. */
export function transcribeOutputKey(jobName: string): string {
  return `${TRANSCRIPTS_PREFIX}${jobName}.json`;
}

/**
 * AWS Transcribe adapter: StartTranscriptionJob writing its JSON to our bucket, GetTranscriptionJob
 * for the state, and the transcript text read from that JSON (results.transcripts[0].transcript).
 */
export class AwsTranscriber implements Transcriber {
  constructor(private readonly options: AwsTranscriberOptions) {}

  async start(request: StartTranscriptionRequest): Promise<TranscriptionJob> {
    try {
      const response = await this.options.transcribe.send(
        new StartTranscriptionJobCommand({
          TranscriptionJobName: request.jobName,
          Media: { MediaFileUri: `s3://${request.bucket}/${request.key}` },
          MediaFormat: request.mediaFormat as MediaFormat,
          LanguageCode: this.options.languageCode as LanguageCode,
          OutputBucketName: this.options.outputBucket,
          OutputKey: transcribeOutputKey(request.jobName),
        }),
      );
      return toJob(request.jobName, response.TranscriptionJob);
    } catch (error) {
      // A job of this name exists: an earlier attempt of this task started it. Adopt it.
      if ((error as Error).name === 'ConflictException') return this.check(request.jobName);
      throw busyOrTransient(error);
    }
  }

  async check(jobName: string): Promise<TranscriptionJob> {
    try {
      const response = await this.options.transcribe.send(
        new GetTranscriptionJobCommand({ TranscriptionJobName: jobName }),
      );
      return toJob(jobName, response.TranscriptionJob);
    } catch (error) {
      if ((error as Error).name === 'NotFoundException') {
        throw new NotFoundError(`Transcription job ${jobName} does not exist (it may have expired after 90 days).`);
      }
      throw busyOrTransient(error);
    }
  }

  async fetchTranscript(jobName: string): Promise<string> {
    const key = transcribeOutputKey(jobName);
    let body: string;
    try {
      const response = await this.options.s3.send(
        new GetObjectCommand({ Bucket: this.options.outputBucket, Key: key }),
      );
      body = (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      throw classifyTransient(error);
    }
    return parseTranscriptJson(body, `s3://${this.options.outputBucket}/${key}`);
  }

  async discardTranscript(jobName: string): Promise<void> {
    try {
      await this.options.s3.send(
        new DeleteObjectCommand({ Bucket: this.options.outputBucket, Key: transcribeOutputKey(jobName) }),
      );
    } catch (error) {
      throw classifyTransient(error);
    }
  }
}

/** The text of a Transcribe output document: results.transcripts[*].transcript, joined. */
export function parseTranscriptJson(body: string, where: string): string {
  let document: { results?: { transcripts?: { transcript?: unknown }[] } };
  try {
    document = JSON.parse(body);
  } catch {
    throw new Error(`The transcript at ${where} is not JSON.`);
  }
  const parts = document.results?.transcripts;
  if (!Array.isArray(parts)) throw new Error(`The transcript at ${where} has no results.transcripts.`);
  return parts
    .map((part) => (typeof part.transcript === 'string' ? part.transcript : ''))
    .join(' ')
    .trim();
}

function toJob(jobName: string, job: AwsJob | undefined): TranscriptionJob {
  const status = job?.TranscriptionJobStatus;
  if (status === 'COMPLETED') return { jobName, state: 'COMPLETED' };
  if (status === 'FAILED') return { jobName, state: 'FAILED', failureReason: job?.FailureReason ?? 'no reason given' };
  return { jobName, state: 'IN_PROGRESS' };
}

function busyOrTransient(error: unknown): unknown {
  if (error instanceof Error && BUSY.has(error.name)) {
    return new TranscribeThrottledError(`Transcribe is busy (${error.name}: ${error.message})`, { cause: error });
  }
  return classifyTransient(error);
}
