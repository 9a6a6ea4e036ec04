import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3EventRecord } from 'aws-lambda';

/**
 * S3 → EventBridge, as the deployed bucket sends its object events (storage.ts turns EventBridge
 * notifications on; ingest-pipeline.ts routes "Object Created" to on-upload and "Object Deleted"
 * to on-delete): one event per object, shaped as the recorded samples
 * test/fixtures/events/eventbridge-object-{created,deleted}.json (Amazon S3 User Guide,
 * "EventBridge event message structure"), the key as stored, as those samples spell it. The
 * bucket is unversioned, so no `version-id`.
 */

/** An EventBridge S3 event: a recorded sample with one object's fields. */
export type BridgeEvent = Record<string, unknown> & { detail: Record<string, unknown> };

const sample = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/events', name), 'utf8')) as BridgeEvent;
const CREATED_SAMPLE = sample('eventbridge-object-created.json');
const DELETED_SAMPLE = sample('eventbridge-object-deleted.json');

/** `reason` of Object Created: the S3 API that made the object (the user guide's "Event message detail field"). */
const CREATED_REASONS: Record<string, string> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Post': 'POST Object',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
};

/** The EventBridge event S3 sends for what a classic record (s3rver's) reports. */
export function toEventBridge(record: S3EventRecord): BridgeEvent {
  const created = CREATED_REASONS[record.eventName];
  if (!created && !record.eventName.startsWith('ObjectRemoved:')) {
    throw new Error(`No EventBridge "Object Created"/"Object Deleted" event for ${record.eventName}`);
  }
  const recorded = structuredClone(created ? CREATED_SAMPLE : DELETED_SAMPLE);
  const { bucket, object } = record.s3;
  return {
    ...recorded,
    id: randomUUID(),
    time: record.eventTime.replace(/\.\d+Z$/, 'Z'),
    region: record.awsRegion,
    resources: [`arn:aws:s3:::${bucket.name}`],
    detail: {
      ...recorded.detail,
      bucket: { name: bucket.name },
      object: {
        key: object.key,
        ...(created ? { size: object.size, etag: object.eTag } : {}),
        sequencer: object.sequencer,
      },
      'request-id': record.responseElements['x-amz-request-id'],
      'source-ip-address': record.requestParameters.sourceIPAddress,
      ...(created ? { reason: created } : {}),
    },
  };
}
