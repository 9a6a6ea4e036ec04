import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { UndecodableKeyError } from './errors.js';
import { decodeS3Key, executionName, type KeyEncoding, TRANSCRIPTS_PREFIX, unquoteEtag } from './keys.js';
import type { ExecutionStarter, IngestInput } from './ports.js';

/**
 * The trigger: turns S3 "object created" events into state machine executions. Accepted shapes
 * (recorded samples in test/fixtures/events): EventBridge "Object Created", classic S3
 * notification batches, and either of them wrapped in SQS (or SNS in SQS). Everything else
 * (deletes, tagging, ACL changes, the S3 test event) is ignored.
 */

/**
 * Key encoding per source. Classic notifications URL-encode keys (AWS documents "red flower.jpg"
 * → "red+flower.jpg"); the EventBridge detail carries the key as stored (its documented samples
 * and schema have no encoding step). A local endpoint that emits classic records with raw keys
 * (s3rver) passes `{ s3RecordKeys: 'raw' }`, or re-encodes with encodeS3EventKey.
 */
export interface KeyEncodings {
  s3RecordKeys: KeyEncoding;
  eventBridgeKeys: KeyEncoding;
}

export const AWS_KEY_ENCODINGS: KeyEncodings = { s3RecordKeys: 'url', eventBridgeKeys: 'raw' };

/** Re-exported for existing importers (stacks, lib/http); defined with the other key names in keys.ts. */
export { TRANSCRIPTS_PREFIX } from './keys.js';

const IGNORED_KEYS = new Set(['.write_access_check_file.temp']);

/** An upload found in an event, before decoding. */
interface RawUpload {
  bucket: string;
  rawKey: string;
  encoding: KeyEncoding;
  size: number | null;
  etag: string | null;
  sequencer: string | null;
}

const eventBridgeSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.string(),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.number().nullish(),
      etag: z.string().nullish(),
      sequencer: z.string().nullish(),
    }),
  }),
});

const s3RecordSchema = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.coerce.number().nullish(),
      eTag: z.string().nullish(),
      sequencer: z.string().nullish(),
    }),
  }),
});

const sqsRecordSchema = z.object({ eventSource: z.literal('aws:sqs'), body: z.string() });
const snsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

/** What one event asks for: uploads to start, and how many records were not uploads. */
export interface ParsedEvent {
  uploads: IngestInput[];
  ignored: number;
}

/** Extracts the uploads of an event, decoding each key exactly once (see KeyEncodings). */
export function parseUploadEvent(event: unknown, encodings: KeyEncodings = AWS_KEY_ENCODINGS): ParsedEvent {
  const raws: RawUpload[] = [];
  const ignored = collect(event, encodings, raws, 0);
  const uploads: IngestInput[] = [];
  let skipped = ignored;
  for (const raw of raws) {
    const upload = toInput(raw);
    if (isIgnoredKey(upload.key)) skipped += 1;
    else uploads.push(upload);
  }
  return { uploads, ignored: skipped };
}

/** Returns the number of ignored records; pushes the uploads found. */
function collect(event: unknown, encodings: KeyEncodings, out: RawUpload[], depth: number): number {
  if (depth > 3 || event === null || typeof event !== 'object') return 1;
  const bridge = eventBridgeSchema.safeParse(event);
  if (bridge.success) {
    if (bridge.data['detail-type'] !== 'Object Created') return 1;
    const { bucket, object } = bridge.data.detail;
    out.push(rawUpload(bucket.name, object, encodings.eventBridgeKeys));
    return 0;
  }
  const records = (event as { Records?: unknown }).Records;
  if (!Array.isArray(records)) return 1;
  let ignored = 0;
  for (const record of records) {
    const s3 = s3RecordSchema.safeParse(record);
    if (s3.success) {
      if (!s3.data.eventName.startsWith('ObjectCreated:')) {
        ignored += 1;
        continue;
      }
      const { bucket, object } = s3.data.s3;
      out.push(rawUpload(bucket.name, { ...object, etag: object.eTag }, encodings.s3RecordKeys));
      continue;
    }
    const sqs = sqsRecordSchema.safeParse(record);
    if (sqs.success) {
      ignored += collect(unwrapBody(sqs.data.body), encodings, out, depth + 1);
      continue;
    }
    ignored += 1;
  }
  return ignored;
}

/** The one mapping of both shapes' object (EventBridge `etag`, classic records `eTag`) to a RawUpload. */
function rawUpload(
  bucket: string,
  object: { key: string; size?: number | null; etag?: string | null; sequencer?: string | null },
  encoding: KeyEncoding,
): RawUpload {
  return {
    bucket,
    rawKey: object.key,
    encoding,
    size: object.size ?? null,
    etag: object.etag ?? null,
    sequencer: object.sequencer ?? null,
  };
}

function unwrapBody(body: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const sns = snsEnvelopeSchema.safeParse(parsed);
  if (!sns.success) return parsed;
  try {
    return JSON.parse(sns.data.Message);
  } catch {
    return undefined;
  }
}

function toInput(raw: RawUpload): IngestInput {
  const identity = { bucket: raw.bucket, sequencer: raw.sequencer, etag: unquoteEtag(raw.etag), size: raw.size };
  try {
    const key = decodeS3Key(raw.rawKey, raw.encoding);
    return { ...identity, key, execution: executionName({ ...identity, key }) };
  } catch (error) {
    if (!(error instanceof UndecodableKeyError)) throw error;
    // Started anyway so the failure is visible as a failed run, not an endless trigger retry.
    return {
      ...identity,
      key: raw.rawKey,
      execution: executionName({ ...identity, key: raw.rawKey }, 'undecodable'),
      keyError: error.message,
    };
  }
}

/** Keys the pipeline itself writes (transcripts, Transcribe's write check) are not uploads. */
export function isIgnoredKey(key: string): boolean {
  return key.startsWith(TRANSCRIPTS_PREFIX) || IGNORED_KEYS.has(key);
}

/** Encodes a key the way classic S3 notifications do (space → `+`), e.g. to replay a raw local event. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+');
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
  deps: { executions: ExecutionStarter; logger: Pick<Logger, 'info' | 'warn' | 'error'> },
  encodings: KeyEncodings = AWS_KEY_ENCODINGS,
): Promise<UploadEventResult> {
  const { uploads, ignored } = parseUploadEvent(event, encodings);
  const result: UploadEventResult = { started: [], duplicates: [], ignored };
  const failures: unknown[] = [];
  for (const input of uploads) {
    if (input.keyError)
      deps.logger.warn('Undecodable key; the run will fail', { key: input.key, reason: input.keyError });
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
