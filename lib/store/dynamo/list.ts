import * as z from 'zod';
import { decodeCursor, encodeCursor, pageLimit } from '../common.js';
import type { AudioRecord, Page, PageOptions } from '../store.js';
import type { DynamoContext } from './context.js';
import { toAudioRecord } from './records.js';

const CURSOR_KIND = 'audio-list';
/** The last filename of the previous page: the same cursor as the SQLite adapter's. */
const listCursor = z.object({ f: z.string().min(1).max(1_100) }).strict();

/**
 * One page of audio files in filename order from the audio partition of GSI1 (a key condition
 * `GSI1SK > <last filename>`, so a cursor is a filename, never a raw start key). It reads one item
 * more than the page (`limit` per request, `count` across the rare short pages), so the last page
 * carries no cursor.
 */
export async function listAudioFiles(ctx: DynamoContext, options?: PageOptions): Promise<Page<AudioRecord>> {
  const limit = pageLimit(options);
  const after = decodeCursor(CURSOR_KIND, options?.cursor, listCursor)?.f;
  const query = ctx.audio.query.list({});
  const { data } = await (after === undefined ? query : query.gt({ filename: after })).go({
    ignoreOwnership: true,
    limit: limit + 1,
    count: limit + 1,
  });
  const items = data.slice(0, limit).map(toAudioRecord);
  const last = items.at(-1);
  return data.length > limit && last ? { items, cursor: encodeCursor(CURSOR_KIND, { f: last.filename }) } : { items };
}
