import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { InvalidCursorError, ValidationError } from '../../errors.js';
import { firstOccurrence, MAX_SUFFIX_LENGTH, suffixItems } from '../../model/search.js';
import { decodeCursor, encodeCursor, pageLimit } from '../common.js';
import type { AudioRecord, Page, PageOptions } from '../store.js';
import { batchGetAll, batchWriteAll, type WriteRequest } from './batch.js';
import type { DynamoContext } from './context.js';
import { toAudioRecord } from './records.js';

const CURSOR_KIND = 'audio-search';
/**
 * Index entries examined per call at most. Occurrences beyond the first in a name are skipped,
 * so a one-letter query over names full of that letter returns a short page with a cursor
 * rather than reading without bound.
 */
const MAX_EXAMINED = 1_000;
const MAX_QUERY_LENGTH = 1_024;

const searchKey = z
  .object({
    PK: z.string().startsWith('AUDIO#').max(1_100),
    SK: z.string().regex(/^SUFFIX#\d{3,}$/),
    GSI3PK: z.string().startsWith('SUF#').max(10),
    GSI3SK: z.string().max(MAX_SUFFIX_LENGTH * 4),
  })
  .strict();

/** The index entries of one file as BatchWrite put requests (built by ElectroDB). */
function putRequests(ctx: DynamoContext, filename: string): WriteRequest[] {
  const batches = ctx.suffix.put(suffixItems(filename)).params() as unknown as {
    RequestItems: Record<string, WriteRequest[]>;
  }[];
  return batches.flatMap((b) => b.RequestItems[ctx.tableName] ?? []);
}

/** Writes a new file's search index entries: ⌈entries / 25⌉ BatchWriteItem calls. */
export async function writeSearchEntries(ctx: DynamoContext, filename: string): Promise<void> {
  await batchWriteAll(ctx, putRequests(ctx, filename));
}

/** Rewrites the index entries if some are missing (after an interrupted registration). */
export async function ensureSearchEntries(ctx: DynamoContext, filename: string): Promise<void> {
  const params = ctx.suffix.query.byFile({ filename }).params() as Record<string, unknown>;
  const result = await ctx.doc.send(new QueryCommand({ ...params, Select: 'COUNT' } as never));
  if ((result.Count ?? 0) < suffixItems(filename).length) await writeSearchEntries(ctx, filename);
}

/** Deletes every index entry in the file's partition (found by a keys-only Query). */
export async function deleteSearchEntries(ctx: DynamoContext, filename: string): Promise<void> {
  const params = ctx.suffix.query.byFile({ filename }).params() as Record<string, unknown>;
  const keys: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(
      new QueryCommand({
        ...params,
        ProjectionExpression: '#pk, #sk1',
        ...(start ? { ExclusiveStartKey: start } : {}),
      } as never),
    );
    keys.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  await batchWriteAll(
    ctx,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
  );
}

/**
 * Case-insensitive substring search. The lower-cased query q is a begins_with Query on the
 * GSI3 partition of its first character, so the entries read are the occurrences of q (not the
 * table). An entry counts only at the first occurrence of q in its filename, so each file
 * appears once across pages without remembering earlier pages. Rows are then read fresh with
 * BatchGetItem (an index entry never serves stale metadata).
 */
export async function searchAudioFiles(
  ctx: DynamoContext,
  query: string,
  options?: PageOptions,
): Promise<Page<AudioRecord>> {
  const limit = pageLimit(options);
  if (typeof query !== 'string' || query.length === 0) {
    throw new ValidationError('Invalid search: the query is empty; pass at least one character.');
  }
  if (query.length > MAX_QUERY_LENGTH) {
    throw new ValidationError(`Invalid search: the query is longer than ${MAX_QUERY_LENGTH} characters.`);
  }
  const q = query.toLowerCase();
  const chars = Array.from(q);
  const initial = chars[0] as string;
  const prefix = chars.slice(0, MAX_SUFFIX_LENGTH).join('');
  const base = ctx.suffix.query.bySuffix({ initial }).begins({ suffix: prefix }).params() as Record<string, unknown>;

  let start: Record<string, unknown> | undefined = decodeCursor(CURSOR_KIND, options?.cursor, searchKey);
  if (start && (start.GSI3PK !== `SUF#${initial}` || !String(start.GSI3SK).startsWith(prefix))) {
    throw new InvalidCursorError();
  }

  const hits: string[] = [];
  let examined = 0;
  let cursorKey: Record<string, unknown> | undefined;
  let exhausted = false;
  while (hits.length < limit && examined < MAX_EXAMINED) {
    const want = Math.min(limit - hits.length + 1, MAX_EXAMINED - examined);
    const page = await ctx.doc.send(
      new QueryCommand({ ...base, Limit: want, ...(start ? { ExclusiveStartKey: start } : {}) } as never),
    );
    const items = page.Items ?? [];
    let consumed = 0;
    for (const item of items) {
      if (hits.length === limit) break;
      consumed++;
      const filename = String(item.filename);
      if (firstOccurrence(filename.toLowerCase(), q) === Number(item.pos)) hits.push(filename);
      cursorKey = keyOf(item);
    }
    examined += consumed;
    if (consumed < items.length) break; // page full with entries left over: more may match
    start = page.LastEvaluatedKey;
    if (!start) {
      exhausted = true;
      break;
    }
  }

  const rows = await batchGetAll(
    ctx,
    hits.map((filename) => (ctx.audio.get({ filename }).params() as { Key: Record<string, unknown> }).Key),
  );
  const byName = new Map(rows.map((row) => [String(row.filename), toAudioRecord(row)]));
  // A row deleted after its entry was read is simply absent.
  const items = hits.map((f) => byName.get(f)).filter((r): r is AudioRecord => r !== undefined);
  return exhausted || !cursorKey ? { items } : { items, cursor: encodeCursor(CURSOR_KIND, cursorKey) };
}

function keyOf(item: Record<string, unknown>): Record<string, unknown> {
  return { PK: item.PK, SK: item.SK, GSI3PK: item.GSI3PK, GSI3SK: item.GSI3SK };
}
