import type { Logger } from '@aws-lambda-powertools/logger';
import { executionName, isIgnoredKey, keyReadings, undecodableKeyMessage, unquoteEtag } from './keys.js';
import type { ExecutionStarter, IngestInput } from './ports.js';
import { parseS3Events, type S3ObjectEvent } from './s3-events.js';

/**
 * The trigger: turns S3 "object created" events (EventBridge "Object Created", or the classic
 * records the local S3 endpoint emits; see s3-events.ts) into state machine executions.
 * Everything else (deletes, tagging, ACL changes) starts nothing.
 */

/** What one event asks for: uploads to start, and how many records were not uploads. */
interface ParsedEvent {
  uploads: IngestInput[];
  ignored: number;
}

/**
 * Extracts the uploads of an event. The key is not decoded by assumption: the input carries its
 * first reading and, when they differ, the key as written, and RegisterUpload asks S3 which exists.
 */
export function parseUploadEvent(event: unknown): ParsedEvent {
  const uploads: IngestInput[] = [];
  let ignored = 0;
  for (const object of parseS3Events(event)) {
    if (object.kind !== 'created' || keyReadings(object.rawKey).readings.some(isIgnoredKey)) ignored += 1;
    else uploads.push(toInput(object));
  }
  return { uploads, ignored };
}

function toInput(object: S3ObjectEvent): IngestInput {
  const { readings, undecodable } = keyReadings(object.rawKey);
  const key = readings[0] as string;
  const identity = {
    bucket: object.bucket,
    sequencer: object.sequencer,
    etag: unquoteEtag(object.etag),
    size: object.size,
  };
  return {
    ...identity,
    key,
    ...(key === object.rawKey ? {} : { eventKey: object.rawKey }),
    execution: executionName({ ...identity, key }),
    ...(undecodable ? { keyError: undecodableKeyMessage(object.rawKey) } : {}),
  };
}

export interface UploadEventResult {
  started: string[];
  duplicates: string[];
  ignored: number;
}

/**
 * Starts one execution per upload in the event. A name already used is a duplicate delivery and
 * a no-op; other start failures are rethrown after every upload was tried, so a redelivered batch
 * only re-creates what is missing.
 */
export async function handleUploadEvent(
  event: unknown,
  deps: { executions: Pick<ExecutionStarter, 'start'>; logger: Pick<Logger, 'info' | 'warn' | 'error'> },
): Promise<UploadEventResult> {
  const { uploads, ignored } = parseUploadEvent(event);
  const result: UploadEventResult = { started: [], duplicates: [], ignored };
  const failures: unknown[] = [];
  for (const input of uploads) {
    try {
      const { started } = await deps.executions.start({ name: input.execution, input });
      if (started) {
        result.started.push(input.execution);
        deps.logger.info('Execution started', { execution: input.execution, key: input.key });
      } else {
        result.duplicates.push(input.execution);
        deps.logger.info('Duplicate event: execution already exists', { execution: input.execution, key: input.key });
      }
    } catch (error) {
      deps.logger.error('Could not start execution', { execution: input.execution, key: input.key, error });
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} executions could not be started`);
  if (ignored > 0) deps.logger.info('Ignored records that are not uploads', { ignored });
  return result;
}
