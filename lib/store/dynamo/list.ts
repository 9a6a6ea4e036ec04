import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { decodeCursor, encodeCursor, pageLimit } from '../common.js';
import type { AudioRecord, Page, PageOptions } from '../store.js';
import type { DynamoContext } from './context.js';
import { toAudioRecord } from './records.js';

const CURSOR_KIND = 'audio-list';

/** The LastEvaluatedKey shape of the audio partition of GSI1; anything else is not our cursor. */
const listKey = z
  .object({
    PK: z.string().startsWith('AUDIO#').max(1_100),
    SK: z.literal('METADATA'),
    GSI1PK: z.literal('AUDIO'),
    GSI1SK: z.string().min(1).max(1_100),
  })
  .strict();

/**
 * One page of audio files in filename order from the audio partition of GSI1. It asks for one
 * item more than the page so the last page carries no cursor (no empty trailing page); the
 * cursor is the last returned item's keys, validated on the way back in.
 */
export async function listAudioFiles(ctx: DynamoContext, options?: PageOptions): Promise<Page<AudioRecord>> {
  const limit = pageLimit(options);
  const start = decodeCursor(CURSOR_KIND, options?.cursor, listKey);
  const params = ctx.audio.query.list({}).params() as Record<string, unknown>;
  const result = await ctx.doc.send(
    new QueryCommand({ ...params, Limit: limit + 1, ...(start ? { ExclusiveStartKey: start } : {}) } as never),
  );
  const rows = result.Items ?? [];
  const page = rows.slice(0, limit);
  const items = page.map(toAudioRecord);
  const last = page[page.length - 1];
  if (rows.length <= limit || !last) return { items };
  return {
    items,
    cursor: encodeCursor(CURSOR_KIND, { PK: last.PK, SK: last.SK, GSI1PK: last.GSI1PK, GSI1SK: last.GSI1SK }),
  };
}
