import type { S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '../errors.js';
import { normalizeSequencer } from '../store/common.js';
import type { AudioRecord, Store } from '../store/store.js';
import { headObject, type ObjectHead } from './head.js';
import { unquoteEtag } from './keys.js';
import type { IngestInput } from './ports.js';

/**
 * Which key an upload really has. An event spells its key one way (URL-encoded in classic S3
 * notifications, as stored in the EventBridge samples, either way elsewhere); instead of assuming,
 * the pipeline asks S3 (RegisterUpload) or the table (MarkFailed, the execution-failure handler).
 */

type UploadKeys = Pick<IngestInput, 'key' | 'eventKey'>;

/** The keys an upload may be stored under: `key` (the decoded reading) first, then the event's spelling. */
function uploadReadings(input: UploadKeys): string[] {
  return input.eventKey && input.eventKey !== input.key ? [input.key, input.eventKey] : [input.key];
}

interface ResolvedObject {
  key: string;
  head: ObjectHead;
}

/**
 * HeadObject of each reading in turn (a 404 moves on to the next): the first object whose ETag is
 * the event's wins, or the first that exists when the event has none. An object with another ETag
 * is returned only when no reading matches (the upload was replaced since); undefined when no
 * reading exists.
 */
export async function resolveObject(
  s3: S3Client,
  input: UploadKeys & Pick<IngestInput, 'bucket' | 'etag'>,
): Promise<ResolvedObject | undefined> {
  const etag = unquoteEtag(input.etag);
  let replaced: ResolvedObject | undefined;
  for (const key of uploadReadings(input)) {
    const head = await headObject(s3, input.bucket, key);
    if (!head) continue;
    if (!etag || !head.etag || head.etag === etag) return { key, head };
    replaced ??= { key, head };
  }
  return replaced;
}

/**
 * The row of an upload in the table: among the rows of its readings, the one recording this
 * upload's sequencer, else its ETag, else the first that exists. Readings that are not valid
 * filenames have no row.
 */
export async function findUploadRow(
  store: Store,
  input: UploadKeys & Pick<IngestInput, 'sequencer' | 'etag'>,
): Promise<AudioRecord | undefined> {
  const rows: AudioRecord[] = [];
  for (const key of uploadReadings(input)) {
    const row = await rowOf(store, key);
    if (row) rows.push(row);
  }
  const sequencer = safeSequencer(input.sequencer);
  const etag = unquoteEtag(input.etag);
  return (
    rows.find((row) => sequencer !== null && row.sequencer === sequencer) ??
    rows.find((row) => etag !== null && row.etag === etag) ??
    rows[0]
  );
}

/** The row of one key; a key that is not a valid filename has none. */
export async function rowOf(store: Store, key: string): Promise<AudioRecord | undefined> {
  try {
    return await store.getAudioFile(key);
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

/** A normalized sequencer, or null when there is none or it is not one (it then guards nothing). */
export function safeSequencer(raw: string | null | undefined): string | null {
  try {
    return normalizeSequencer(raw);
  } catch {
    return null;
  }
}
