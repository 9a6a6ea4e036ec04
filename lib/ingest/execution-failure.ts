import type { Logger } from '@aws-lambda-powertools/logger';
import { parse } from '@aws-lambda-powertools/parser';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import * as z from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Store } from '../store/store.js';
import { bounded, describeFailure } from './fail.js';
import { describeIssues } from './issues.js';
import { findUploadRow } from './resolve.js';
import { TASK_FUNCTION_TIMEOUT_SECONDS } from './timeouts.js';

/**
 * The safety net behind every Catch: Step Functions sends an EventBridge "Step Functions Execution
 * Status Change" event when an execution ends; an execution that ended FAILED, TIMED_OUT or ABORTED
 * without its MarkFailed recording the failure (an uncatchable States.Runtime, MarkFailed itself
 * failing, the execution timeout, a manual stop) leaves its row `pending`/`processing`, and this
 * marks it `failed` with the execution's error (FailedUnrecorded fails with the original error
 * MarkFailed could not record). The local runner sends the same event.
 */

export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/** The statuses the stack's rule forwards: every way an execution ends other than SUCCEEDED. */
export const UNSUCCESSFUL_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** The error of the ASL's `Failed` state: MarkFailed ran, so the row already says why. */
export const RECORDED_FAILURE_ERROR = 'IngestFailed';

/**
 * A write to the row later than this after the execution stopped cannot be one of its own Tasks
 * (a Task abandoned by an abort or a timeout lives at most its function's timeout): a newer run
 * (a re-run of the same upload) owns the row.
 */
const LATE_WRITE_MS = (TASK_FUNCTION_TIMEOUT_SECONDS + 5) * 1000;

// Powertools parser has an EventBridge envelope schema but no Step Functions detail: this is the
// detail of the documented event (AWS Step Functions Developer Guide, "EventBridge events for
// Step Functions execution status changes"; the same fields as DescribeExecution).
const StatusChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.states'),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.string(),
    startDate: z.number(),
    stopDate: z.number().nullable(),
    /** The execution input as JSON; null when it was too large for the event (inputDetails.included false). */
    input: z.string().nullable(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

type ExecutionStatusChange = z.infer<typeof StatusChangeSchema>;

/** What the handler needs of the execution input: the upload's identity (lib/ingest/ports.ts IngestInput). */
const UploadSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  eventKey: z.string().optional(),
  sequencer: z.string().nullable(),
  etag: z.string().nullable(),
});

export interface ExecutionFailureResult {
  execution: string;
  recorded: boolean;
  /** Why nothing was written, or the reason written on the row. */
  reason: string;
  key?: string;
}

/**
 * Marks the row of an unsuccessful execution `failed` with the execution's error, unless the
 * execution's own MarkFailed recorded it, the row is gone, finished (`completed` or `failed`),
 * belongs to a newer upload (the sequencer in the execution input), or was written by a later run.
 */
export async function handleExecutionFailure(
  event: unknown,
  deps: { store: Store; logger: Pick<Logger, 'info' | 'warn' | 'error'> },
): Promise<ExecutionFailureResult> {
  const result = parse(event, undefined, StatusChangeSchema, true);
  if (!result.success) {
    throw new ValidationError(
      `Not a "${EXECUTION_STATUS_CHANGE}" event from aws.states (${describeIssues(result.error.cause)}).`,
    );
  }
  const detail = result.data.detail;
  const skip = (reason: string, key?: string): ExecutionFailureResult => {
    deps.logger.info('Execution end left as is', { execution: detail.name, status: detail.status, key, reason });
    return { execution: detail.name, recorded: false, reason, ...(key ? { key } : {}) };
  };
  if (!(UNSUCCESSFUL_STATUSES as readonly string[]).includes(detail.status)) return skip(`status ${detail.status}`);
  if (detail.status === 'FAILED' && detail.error === RECORDED_FAILURE_ERROR) {
    return skip('the execution recorded its failure itself');
  }
  const upload = UploadSchema.safeParse(parseJson(detail.input));
  if (!upload.success) return skip('the execution input is not an upload (or was too large for the event)');

  const row = await findUploadRow(deps.store, upload.data);
  if (!row) return skip('no row of this upload', upload.data.key);
  if (row.transcriptStatus === 'completed' || row.transcriptStatus === 'failed') {
    return skip(`the row is already ${row.transcriptStatus}`, row.filename);
  }
  const stopped = detail.stopDate ?? Date.parse(result.data.time);
  if (Date.parse(row.updatedAt) > stopped + LATE_WRITE_MS) return skip('a later run wrote the row', row.filename);

  const reason = describeExecutionEnd(detail);
  try {
    await deps.store.setTranscriptStatus({
      filename: row.filename,
      status: 'failed',
      error: reason,
      sequencer: upload.data.sequencer,
    });
  } catch (error) {
    // A newer upload's row (sequencer guard) or a concurrent completion: theirs to keep.
    if (error instanceof ConflictError || error instanceof NotFoundError) return skip(error.message, row.filename);
    throw error;
  }
  deps.logger.warn('Row of an unsuccessful execution marked failed', {
    execution: detail.name,
    status: detail.status,
    key: row.filename,
    reason,
  });
  return { execution: detail.name, recorded: true, reason, key: row.filename };
}

/** The sentence stored on the row for an execution that ended without recording its failure. */
function describeExecutionEnd(detail: ExecutionStatusChange['detail']): string {
  const ran = detail.stopDate === null ? '' : ` after ${duration(detail.stopDate - detail.startDate)}`;
  if (detail.status === 'TIMED_OUT') {
    return bounded(
      `The run was stopped${ran}: it took longer than the pipeline allows. Re-run the transcription; if it times out again, split the audio into shorter files.`,
    );
  }
  if (detail.status === 'ABORTED') {
    const why = detail.cause || detail.error;
    return bounded(`The run was stopped (aborted)${ran}${why ? `: ${why}` : ''}. Re-run the transcription.`);
  }
  // FailedUnrecorded fails with the original error, so this is the error MarkFailed could not record.
  return describeFailure({ Error: detail.error ?? undefined, Cause: detail.cause ?? undefined });
}

function parseJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
