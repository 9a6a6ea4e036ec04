import { type AwsJsonEndpoint, AwsJsonError, epochSeconds, startAwsJsonEndpoint } from './aws-json.js';

/**
 * Amazon Transcribe on loopback (AWS JSON 1.1, target prefix `Transcribe`): the two operations
 * the pipeline calls. The bundles reach it through `AWS_ENDPOINT_URL_TRANSCRIBE`.
 *
 * Shapes and error texts from the Amazon Transcribe API reference:
 * - StartTranscriptionJob (API_StartTranscriptionJob.html): response `{"TranscriptionJob": {…}}`;
 *   errors BadRequestException, ConflictException, InternalFailureException (500),
 *   LimitExceededException, all 400 unless noted.
 * - GetTranscriptionJob (API_GetTranscriptionJob.html): the same `TranscriptionJob`, `Transcript.
 *   TranscriptFileUri` once COMPLETED, `FailureReason` when FAILED; NotFoundException for an
 *   unknown name.
 * - The output document written to OutputBucketName/OutputKey: developer guide, "Data input and
 *   output" (how-input.html, output section): `{jobName, accountId, results: {transcripts:
 *   [{transcript}], items: [...]}, status}`.
 */

const LIMIT_EXCEEDED =
  "You've either sent too many requests or your input file is too long. Wait before retrying your request, or use a smaller file and try your request again.";
const CONFLICT = 'The requested job name already exists. Use a different job name.';
const NOT_FOUND = "The requested job couldn't be found. Check the job name and try your request again.";

export type TranscribeErrorType = 'LimitExceededException' | 'BadRequestException' | 'InternalFailureException';

interface Job {
  request: Record<string, unknown>;
  created: Date;
  checks: number;
  failureReason?: string;
}

export interface TranscribeFake extends AwsJsonEndpoint {
  /** Jobs by name, as started. */
  jobs: Map<string, Job>;
  /** Answers every call with this error until `clear()`. */
  fail(type: TranscribeErrorType, message?: string): void;
  clear(): void;
  /** The next job started ends FAILED with this FailureReason. */
  failNextJob(reason: string): void;
}

export interface TranscribeFakeOptions {
  /** Writes the output document where the job asked (the tests' s3rver, not through a fault proxy). */
  writeOutput(bucket: string, key: string, body: string): Promise<void>;
  /** The transcript of a media URI. */
  transcript(mediaFileUri: string): string;
  /** GetTranscriptionJob answers IN_PROGRESS this many times before COMPLETED (default 1). */
  checksInProgress?: number;
  accountId?: string;
}

const defaultMessages: Record<TranscribeErrorType, [string, number]> = {
  LimitExceededException: [LIMIT_EXCEEDED, 400],
  BadRequestException: ['There is a problem with one of the input fields.', 400],
  InternalFailureException: [
    'There was an internal error. Check the error message, correct the issue, and try your request again.',
    500,
  ],
};

/** Starts the fake on a free loopback port. */
export async function startTranscribeFake(options: TranscribeFakeOptions): Promise<TranscribeFake> {
  const jobs = new Map<string, Job>();
  let fault: AwsJsonError | undefined;
  let nextJobFailure: string | undefined;
  const inProgress = options.checksInProgress ?? 1;

  const toJob = (name: string, job: Job) => {
    const status = job.failureReason ? 'FAILED' : job.checks > inProgress ? 'COMPLETED' : 'IN_PROGRESS';
    const { OutputBucketName, OutputKey } = job.request as { OutputBucketName: string; OutputKey: string };
    return {
      TranscriptionJob: {
        TranscriptionJobName: name,
        TranscriptionJobStatus: status,
        LanguageCode: job.request.LanguageCode,
        MediaFormat: job.request.MediaFormat,
        Media: job.request.Media,
        CreationTime: epochSeconds(job.created),
        StartTime: epochSeconds(job.created),
        ...(status === 'COMPLETED'
          ? {
              CompletionTime: epochSeconds(),
              Transcript: { TranscriptFileUri: `https://s3.us-east-1.amazonaws.com/${OutputBucketName}/${OutputKey}` },
            }
          : {}),
        ...(status === 'FAILED' ? { FailureReason: job.failureReason, CompletionTime: epochSeconds() } : {}),
      },
    };
  };

  const endpoint = await startAwsJsonEndpoint({
    targetPrefix: 'Transcribe',
    version: '1.1',
    operations: {
      StartTranscriptionJob: async (input) => {
        if (fault) throw fault;
        const name = String(input.TranscriptionJobName);
        if (jobs.has(name)) throw new AwsJsonError('ConflictException', CONFLICT);
        const job: Job = { request: input, created: new Date(), checks: 0 };
        if (nextJobFailure) {
          job.failureReason = nextJobFailure;
          nextJobFailure = undefined;
        } else {
          const uri = String((input.Media as { MediaFileUri?: unknown } | undefined)?.MediaFileUri);
          const output = {
            jobName: name,
            accountId: options.accountId ?? '111122223333',
            results: {
              transcripts: [{ transcript: options.transcript(uri) }],
              items: [],
            },
            status: 'COMPLETED',
          };
          await options.writeOutput(String(input.OutputBucketName), String(input.OutputKey), JSON.stringify(output));
        }
        jobs.set(name, job);
        return toJob(name, job);
      },
      GetTranscriptionJob: (input) => {
        if (fault) throw fault;
        const name = String(input.TranscriptionJobName);
        const job = jobs.get(name);
        if (!job) throw new AwsJsonError('NotFoundException', NOT_FOUND);
        job.checks += 1;
        return toJob(name, job);
      },
    },
  });
  return {
    ...endpoint,
    jobs,
    fail(type, message) {
      const [text, status] = defaultMessages[type];
      fault = new AwsJsonError(type, message ?? text, status);
    },
    clear() {
      fault = undefined;
    },
    failNextJob(reason) {
      nextJobFailure = reason;
    },
  };
}
