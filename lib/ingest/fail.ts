import type { Logger } from '@aws-lambda-powertools/logger';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AppMetrics } from '../observability.js';
import type { Store } from '../store/store.js';
import { RETRYABLE_ERRORS } from './errors.js';
import type { IngestInput } from './ports.js';

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
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
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

/** Turns a caught `{Error, Cause}` into a sentence a person can act on. */
export function describeFailure(error: CaughtError | undefined): string {
  const name = error?.Error ?? 'UnknownError';
  const message = causeMessage(error?.Cause);
  let reason: string;
  if (READABLE.has(name) && message) reason = message;
  else if (name === 'TranscriptionFailed') {
    reason = `Transcription failed: ${message ?? 'the engine gave no reason'}. Check that the file plays, then re-run the transcription.`;
  } else if (name === 'TranscriptionTimedOut') {
    reason = message ?? 'Transcription timed out.';
  } else if (name.startsWith('Lambda.') || (RETRYABLE_ERRORS as readonly string[]).includes(name)) {
    reason = `A temporary AWS error persisted after several retries (${name}${message ? `: ${message}` : ''}). Re-run the transcription later.`;
  } else if (name === 'States.Timeout') {
    reason = 'A pipeline step took too long and was stopped. Re-run the transcription.';
  } else {
    reason = `The pipeline failed (${name}${message ? `: ${message}` : ''}). Re-run the transcription; if it fails again, report this message.`;
  }
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

/**
 * Records a failed run on the row (`failed` with the reason), guarded by the upload's sequencer.
 * Never overwrites `completed`, never creates a row, never touches a newer upload's row.
 */
export async function markFailed(
  input: IngestInput & { error?: CaughtError },
  deps: { store: Store; logger: Pick<Logger, 'warn' | 'error'>; metrics?: Pick<AppMetrics, 'transcriptionFailed'> },
): Promise<Failed> {
  const reason = describeFailure(input.error);
  if (input.keyError) {
    deps.logger.error('Run failed before a row existed', { key: input.key, reason });
    deps.metrics?.transcriptionFailed(input.error?.Error ?? 'UnknownError');
    return { reason, recorded: false };
  }
  try {
    await deps.store.setTranscriptStatus({
      filename: input.key,
      status: 'failed',
      error: reason,
      sequencer: input.sequencer,
    });
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
    deps.logger.warn('Failure not recorded on the row', { key: input.key, reason, because: (error as Error).message });
    return { reason, recorded: false };
  }
  deps.logger.error('Run failed', { key: input.key, reason });
  deps.metrics?.transcriptionFailed(input.error?.Error ?? 'UnknownError');
  return { reason, recorded: true };
}
