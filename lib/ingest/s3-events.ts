import { parse } from '@aws-lambda-powertools/parser';
import { S3EventNotificationEventBridgeSchema, S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import * as z from 'zod';
import { ValidationError } from '../errors.js';
import { describeIssues } from './issues.js';

/**
 * The S3 object events the pipeline is wired to, parsed with Powertools' schemas:
 * - EventBridge "Object Created" / "Object Deleted" (what the stack's rules deliver in AWS);
 * - classic S3 notification records (what the local S3 endpoint, s3rver, emits; also the shape a
 *   bucket notification to Lambda would deliver).
 * Nothing wires SQS or SNS in front of the functions, so those envelopes are not accepted.
 */

// Powertools 2.35 accepts only IPv4 source addresses; S3 also reports IPv6 requesters (dual-stack
// endpoints) and s3rver reports `::ffff:127.0.0.1`. A valid event must not be refused for that.
const BridgeEventSchema = S3EventNotificationEventBridgeSchema.extend({
  source: z.literal('aws.s3'),
  detail: S3EventNotificationEventBridgeSchema.shape.detail.extend({ 'source-ip-address': z.string().optional() }),
});
const RecordSchema = S3Schema.shape.Records.element;
const NotificationSchema = S3Schema.extend({
  Records: z
    .array(
      RecordSchema.extend({
        requestParameters: RecordSchema.shape.requestParameters.extend({ sourceIPAddress: z.string() }),
      }),
    )
    .min(1),
});

/** One object event, its key exactly as the event spells it (which encoding, if any, is not assumed). */
export interface S3ObjectEvent {
  kind: 'created' | 'deleted' | 'other';
  bucket: string;
  /** The key as written in the event: URL-encoded in classic records from AWS, as stored elsewhere. */
  rawKey: string;
  size: number | null;
  etag: string | null;
  sequencer: string | null;
}

/**
 * The object events in an EventBridge S3 event or a classic notification batch. Anything else is a
 * ValidationError naming what was expected, so a misrouted event fails visibly (and lands in the
 * trigger's dead-letter queue) instead of being dropped.
 */
export function parseS3Events(event: unknown): S3ObjectEvent[] {
  // The shape decides which schema's issues to report: a notification has Records, nothing else does.
  const classic = Array.isArray((event as { Records?: unknown } | null)?.Records);
  const result = classic
    ? parse(event, undefined, NotificationSchema, true)
    : parse(event, undefined, BridgeEventSchema, true);
  if (!result.success) {
    throw new ValidationError(
      `Not an S3 object event: expected an EventBridge event from aws.s3 ("Object Created" / "Object Deleted") or S3 notification Records (${describeIssues(result.error.cause)}).`,
    );
  }
  const parsed = result.data;
  if ('Records' in parsed) {
    return parsed.Records.map((record) => ({
      kind: record.eventName.startsWith('ObjectCreated:')
        ? 'created'
        : record.eventName.startsWith('ObjectRemoved:')
          ? 'deleted'
          : 'other',
      bucket: record.s3.bucket.name,
      rawKey: record.s3.object.key,
      size: record.s3.object.size ?? null,
      etag: record.s3.object.eTag ?? null,
      sequencer: record.s3.object.sequencer ?? null,
    }));
  }
  const type = parsed['detail-type'];
  const kind = type === 'Object Created' ? 'created' : type === 'Object Deleted' ? 'deleted' : 'other';
  const { bucket, object } = parsed.detail;
  return [
    {
      kind,
      bucket: bucket.name,
      rawKey: object.key,
      size: object.size ?? null,
      etag: object.etag ?? null,
      sequencer: object.sequencer ?? null,
    },
  ];
}
