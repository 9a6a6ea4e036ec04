import { AppError, ValidationError } from '../errors.js';

/**
 * Errors of the pipeline tasks. Step Functions matches Retry/Catch on `error.name`, so the names
 * are part of the contract with statemachines/ingest-audio.asl.json: the retryable ones are listed
 * in RETRYABLE_ERRORS and in every Task's Retry.
 */

/** The S3 key in the event is not valid percent-encoding; retrying cannot fix it. */
export class UndecodableKeyError extends ValidationError {}

/** Transcribe refused for now (LimitExceededException, throttling, an internal failure): retry with backoff. */
export class TranscribeThrottledError extends AppError {
  override readonly status: number = 503;
}

/** A transient storage or network failure (S3 5xx, timeouts): retry with backoff. */
export class TransientIngestError extends AppError {
  override readonly status: number = 503;
}

/** The configured transcription engine cannot run here (e.g. pocketsphinx not installed). */
export class TranscriberUnavailableError extends AppError {
  override readonly status: number = 503;
}

/**
 * Error names every Task of the state machine retries (besides the Lambda service errors):
 * StoreUnavailableError is the store's transient kind (throttling, unreachable endpoint, 5xx);
 * its permanent kind, StoreMisconfiguredError, is deliberately not here.
 */
export const RETRYABLE_ERRORS = ['TranscribeThrottledError', 'TransientIngestError', 'StoreUnavailableError'] as const;

/** Throttling answers of the AWS services the Tasks call (DynamoDB's two, S3's, the generic one). */
const THROTTLING_ERRORS = [
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'TooManyRequestsException',
];

/** Lambda service errors every Task retries. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * Wraps a failure that a later attempt may not hit (an AWS 5xx or throttling answer, a network
 * error) in TransientIngestError so the state machine retries it; anything else is returned as is.
 */
export function classifyTransient(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof AppError) return error;
  const meta = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  const status = meta.$metadata?.httpStatusCode;
  const network = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(meta.code ?? '');
  const transient =
    (status !== undefined && (status >= 500 || status === 429)) ||
    meta.$retryable !== undefined ||
    network ||
    ['TimeoutError', 'RequestTimeout', ...THROTTLING_ERRORS].includes(error.name);
  return transient ? new TransientIngestError(`${error.name}: ${error.message}`, { cause: error }) : error;
}
