import { type DeleteDeps, removeRow } from './delete.js';
import { headObject } from './head.js';
import { isIgnoredKey, keyReadings } from './keys.js';
import { rowOf, safeSequencer } from './resolve.js';
import { parseS3Events } from './s3-events.js';

/**
 * The table follows the bucket: an S3 "Object Deleted" event removes the row (and the transcript
 * object) of the deleted object. Apart from ./delete.ts because it parses events with Powertools
 * parser, whose zod import esbuild cannot tree-shake (every zod locale comes with it): only the
 * event functions should pay for that.
 */

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
