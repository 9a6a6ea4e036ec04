import type { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../errors.js';
import { checkFilename } from '../store/common.js';
import type { AudioRecord, Store } from '../store/store.js';
import { classifyTransient } from './errors.js';
import { transcriptObjectKey } from './transcription.js';

/**
 * Deleting audio: an audio file is its object, the transcript object of a large transcript, and
 * its row; they go together. The API's delete route uses this module; S3 "Object Deleted" events
 * go through ./delete-event.ts, kept apart so the API bundles do not carry the event parser.
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
export async function removeRow(row: AudioRecord, bucket: string, deps: DeleteDeps): Promise<void> {
  // The pointer, and the name CompleteTranscription writes before it sets the pointer.
  const transcripts = new Set([row.transcriptS3Key, transcriptObjectKey(row.filename)]);
  for (const key of transcripts) if (key) await deleteObject(deps.s3, bucket, key);
  try {
    await deps.store.deleteAudioFile(row.filename);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

/** DeleteObject; deleting a key that does not exist is not an error in S3. */
async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    throw classifyTransient(error);
  }
}
