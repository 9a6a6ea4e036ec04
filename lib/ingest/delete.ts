import type { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../errors.js';
import { checkFilename } from '../store/common.js';
import type { AudioRecord, Store } from '../store/store.js';
import { classifyTransient } from './errors.js';
import { isIgnoredKey } from './events.js';
import { keyReadings } from './keys.js';
import { headObject } from './probe.js';
import { rowOf, safeSequencer } from './resolve.js';
import { parseS3Events } from './s3-events.js';
import { transcriptObjectKey } from './transcription.js';

/**
 * Deleting audio: an audio file is its object, the transcript object of a large transcript, and
 * its row; they go together. The table follows the bucket: an S3 "Object Deleted" event removes
 * the row (and the transcript object) of the deleted object.
 */

export type DeleteDeps = {
  store: Store;
  s3: S3Client;
  logger: Pick<Logger, 'info' | 'warn'>;
};

/**
 * Deletes an audio file everywhere: its object, its transcript object, then its row (last, so an
 * interrupted delete leaves the row to retry with). An unknown filename is a NotFoundError and
 * deletes nothing. The pipeline copes with a row deleted mid-run (nothing is resurrected).
 */
export async function deleteAudio(filename: string, bucket: string, deps: DeleteDeps): Promise<AudioRecord> {
  checkFilename(filename);
  const row = await deps.store.getAudioFile(filename);
  if (!row) throw new NotFoundError(`Audio file ${JSON.stringify(filename)} not found.`);
  await deleteObject(deps.s3, bucket, filename);
  await removeRow(row, bucket, deps);
  deps.logger.info('Audio file deleted', { key: filename });
  return row;
}

/** The transcript objects of a row, then the row; a row already gone is not an error. */
async function removeRow(row: AudioRecord, bucket: string, deps: DeleteDeps): Promise<void> {
  // The pointer, and the name CompleteTranscription writes before it sets the pointer.
  const transcripts = new Set([row.transcriptS3Key, transcriptObjectKey(row.filename)]);
  for (const key of transcripts) if (key) await deleteObject(deps.s3, bucket, key);
  try {
    await deps.store.deleteAudioFile(row.filename);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

export interface DeleteEventResult {
  /** Rows removed with their transcript objects. */
  deleted: string[];
  /** Rows kept: the object is back (uploaded again since) or the row records a newer upload. */
  kept: string[];
  /** Records that are not deletions, or of keys the pipeline writes itself. */
  ignored: number;
}

/**
 * The table follows the bucket: for each deleted object (EventBridge "Object Deleted", or a
 * classic `ObjectRemoved:*` record), the row of each reading of its key is removed with its
 * transcript object — unless HeadObject finds that object (uploaded again since, events being
 * unordered) or the row records a newer upload than the deleted one (sequencer).
 */
export async function handleDeleteEvent(event: unknown, deps: DeleteDeps): Promise<DeleteEventResult> {
  const result: DeleteEventResult = { deleted: [], kept: [], ignored: 0 };
  for (const object of parseS3Events(event)) {
    const { readings } = keyReadings(object.rawKey);
    if (object.kind !== 'deleted' || readings.some(isIgnoredKey)) {
      result.ignored += 1;
      continue;
    }
    const deletedSequencer = safeSequencer(object.sequencer);
    for (const key of readings) {
      const row = await rowOf(deps.store, key);
      if (!row) continue;
      const newer = deletedSequencer !== null && row.sequencer !== null && row.sequencer > deletedSequencer;
      if (newer || (await headObject(deps.s3, object.bucket, key))) {
        deps.logger.info('Row kept after an object delete', { key, reason: newer ? 'newer upload' : 'object exists' });
        result.kept.push(key);
        continue;
      }
      await removeRow(row, object.bucket, deps);
      deps.logger.info('Row of a deleted object removed', { key });
      result.deleted.push(key);
    }
  }
  return result;
}

/** DeleteObject; deleting a key that does not exist is not an error in S3. */
export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    throw classifyTransient(error);
  }
}
