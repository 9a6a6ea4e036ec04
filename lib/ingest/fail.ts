import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConflictError, NotFoundError, StaleEventError } from '../errors.js';
import type { AppMetrics } from '../observability.js';
import type { Store } from '../store/store.js';
import { RETRYABLE_ERRORS } from './errors.js';
import { unquoteEtag } from './keys.js';
import type { IngestInput } from './ports.js';
import type { Registered } from './register.js';
import { findUploadRow, resolveObject } from './resolve.js';

/** What a Catch puts at `$.error`: Step Functions' `{Error, Cause}`. */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

/** MarkFailed's result, at `$.failed`. */
export interface Failed {
  reason: string;
  /** False when the row was missing, finished, or superseded, so nothing was written. */
  recorded: boolean;
}

const MAX_REASON_LENGTH = 1000;

/** Lambda reports a thrown error as a JSON Cause `{errorType, errorMessage, trace}`; locally it may be plain text. */
function causeMessage(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage || undefined;
  } catch {
    // plain text
  }
  return cause;
}

/** Errors whose message is already a sentence for the person who uploaded the file. */
const READABLE = new Set([
  'UnsupportedMediaError',
  'UndecodableKeyError',
  'TranscriberUnavailableError',
  'ValidationError',
]);

/**
 * A step ran out of time: the Task's TimeoutSeconds (States.Timeout), the function's timeout
 * (Sandbox.Timedout), or Middy's early timeout just before it (TimeoutError).
 */
const TIMEOUTS = new Set(['States.Timeout', 'Sandbox.Timedout', 'TimeoutError']);

/** Turns a caught `{Error, Cause}` into a sentence a person can act on. */
export function describeFailure(error: CaughtError | undefined): string {
  const name = error?.Error || 'UnknownError';
  const message = causeMessage(error?.Cause);
  const detail = `${name}${message ? `: ${message}` : ''}`;
  let reason: string;
  if (READABLE.has(name) && message) reason = message;
  else if (name === 'TranscriptionFailed') {
    reason = `Transcription failed: ${message ?? 'the engine gave no reason'}. Check that the file plays, then re-run the transcription.`;
  } else if (name === 'TranscriptionTimedOut') {
    reason = message ?? 'Transcription timed out.';
  } else if (name.startsWith('Lambda.') || (RETRYABLE_ERRORS as readonly string[]).includes(name)) {
    reason = `A temporary AWS error persisted after several retries (${detail}). Re-run the transcription later.`;
  } else if (TIMEOUTS.has(name)) {
    reason = `A pipeline step took too long and was stopped (${detail}). Re-run the transcription.`;
  } else {
    reason = `The pipeline failed (${detail}). Re-run the transcription; if it fails again, report this message.`;
  }
  return bounded(reason);
}

/** Reasons are stored on the row and shown in the API: keep them short. */
export function bounded(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

type MarkFailedDeps = {
  store: Store;
  /** To give an upload whose registration failed its row (HeadObject only). */
  s3?: S3Client;
  logger: Pick<Logger, 'warn' | 'error'>;
  metrics?: Pick<AppMetrics, 'transcriptionFailed'>;
};

/**
 * Records a failed run on the row (`failed` with the reason), guarded by the upload's sequencer.
 * The row is found whichever reading of the event's key it was recorded under. Never overwrites
 * `completed`, never touches a newer upload's row, and never recreates a deleted row; but an
 * upload whose RegisterUpload failed before its row was written (and whose object is still in
 * S3) gets its row, `failed`, so the failure is visible.
 */
export async function markFailed(
  input: IngestInput & { error?: CaughtError; registered?: Registered },
  deps: MarkFailedDeps,
): Promise<Failed> {
  const reason = describeFailure(input.error);
  let row = await findUploadRow(deps.store, input);
  if (!row && !input.registered && deps.s3) row = await recordUnregistered(input, deps.s3, deps.store);
  if (!row) {
    deps.logger.error('Run failed without a row to record it on', { key: input.key, reason });
    deps.metrics?.transcriptionFailed(input.error?.Error ?? 'UnknownError');
    return { reason, recorded: false };
  }
  try {
    await deps.store.setTranscriptStatus({
      filename: row.filename,
      status: 'failed',
      error: reason,
      sequencer: input.sequencer,
    });
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
    deps.logger.warn('Failure not recorded on the row', {
      key: row.filename,
      reason,
      because: (error as Error).message,
    });
    return { reason, recorded: false };
  }
  deps.logger.error('Run failed', { key: row.filename, reason });
  deps.metrics?.transcriptionFailed(input.error?.Error ?? 'UnknownError');
  return { reason, recorded: true };
}

/** The row of an upload whose object exists but was never registered, as `pending` (then failed by the caller). */
async function recordUnregistered(input: IngestInput, s3: S3Client, store: Store) {
  const found = await resolveObject(s3, input);
  const etag = unquoteEtag(input.etag);
  if (!found || (etag && found.head.etag && found.head.etag !== etag)) return undefined; // replaced since
  try {
    return await store.upsertAudioFile({
      filename: found.key,
      size: found.head.size,
      duration: null,
      etag: found.head.etag,
      sequencer: input.sequencer,
    });
  } catch (error) {
    if (error instanceof StaleEventError) return undefined;
    throw error;
  }
}
