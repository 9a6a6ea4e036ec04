import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BatchOptions, getBatches, mapLimit, writeBatches } from '../store/dynamo/batch.js';
import { type Item, type ItemBuilders, isOlder, keyOf, keyString, SOURCE_FIELDS, sameItem } from './items.js';
import { userByIdIndex } from './table-ops.js';

/**
 * Writes migrated user and audio items without ever overwriting newer data. Per batch of items:
 * one consistent BatchGetItem of what the table holds, then per item one conditional UpdateItem:
 * created only where nothing exists (`attribute_not_exists(PK)`), replaced only where the table's
 * item is older than the source and still exactly the one read (`updated_at = :seen`). A pipeline
 * or API write in between fails the condition; the item is read again and judged again, so the
 * newer one wins. The update sets the item's own attributes and removes only source fields the
 * source no longer has: what the pipeline owns (sequencer, etag, transcript_s3_key…) survives.
 * An audio item's search-index items are written (BatchWriteItem, idempotent) before the item, so
 * an item that exists always has its index.
 */

export type Entity = 'user' | 'audio';

/** One item to migrate: `id` names the source row or item in reports. */
export interface Entry {
  entity: Entity;
  id: number | string;
  item: Item;
}

export type Outcome =
  | { kind: 'written' | 'unchanged' | 'skippedNewer' }
  | {
      kind: 'failed';
      reason: string;
    };

export interface WriterOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  builders: ItemBuilders;
  /** Batch tuning and the stats to count into. */
  batch: BatchOptions;
  /** Conditional writes in flight (default 8). */
  concurrency?: number;
  dryRun?: boolean;
}

/** Rounds of read-and-judge-again before an item that keeps changing is reported as failed. */
const MAX_ROUNDS = 3;

/** What the table's current item means for the entry: nothing to do (and why), or write. */
function judge(current: Item | undefined, entry: Entry): Outcome | undefined {
  if (!current) return undefined;
  if (sameItem(current, entry.item, SOURCE_FIELDS[entry.entity])) return { kind: 'unchanged' };
  if (!isOlder(current, entry.item)) return { kind: 'skippedNewer' };
  return undefined;
}

/** The conditional UpdateItem that turns `current` (or nothing) into the entry's item. */
function updateFor(table: string, entry: Entry, current: Item | undefined): UpdateCommand {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const name = (attribute: string) => {
    const placeholder = `#a${Object.keys(names).length}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  const set = Object.entries(entry.item)
    .filter(([attribute, value]) => attribute !== 'PK' && attribute !== 'SK' && value !== undefined)
    .map(([attribute, value]) => {
      const placeholder = `:v${Object.keys(values).length}`;
      values[placeholder] = value;
      return `${name(attribute)} = ${placeholder}`;
    });
  const remove = SOURCE_FIELDS[entry.entity]
    .filter((field) => entry.item[field] === undefined && current?.[field] !== undefined)
    .map(name);
  let condition = 'attribute_not_exists(PK)';
  if (current) {
    if (typeof current.updated_at === 'string' || typeof current.updated_at === 'number') {
      values[':seen'] = current.updated_at;
      condition = `${name('updated_at')} = :seen`;
    } else condition = `attribute_exists(PK) AND attribute_not_exists(${name('updated_at')})`;
  }
  return new UpdateCommand({
    TableName: table,
    Key: keyOf(entry.item),
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

async function writeOne(w: WriterOptions, entry: Entry, read: Item | undefined): Promise<Outcome> {
  let current = read;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    try {
      await w.doc.send(updateFor(w.table, entry, current));
      return { kind: 'written' };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const again = await w.doc.send(
        new GetCommand({ TableName: w.table, Key: keyOf(entry.item), ConsistentRead: true }),
      );
      current = again.Item as Item | undefined;
      const verdict = judge(current, entry);
      if (verdict) return verdict;
    }
  }
  return { kind: 'failed', reason: 'changed in the table during the migration again and again; run again' };
}

/** A user whose id another user already holds in the table (by-id index) must not be written. */
async function idCollision(w: WriterOptions, entry: Entry): Promise<string | undefined> {
  const userId = Number(entry.item.user_id);
  const holder = await userByIdIndex(w.doc, w.table, userId);
  if (!holder || holder.PK === entry.item.PK) return undefined;
  return `user_id ${userId} is already held by "${String(holder.username)}" in the table; that user was created after the last migration: change one of the ids and run again`;
}

/**
 * Migrates a batch of entries; returns one outcome per entry (in order) and the search-index
 * items written. Infrastructure errors (table missing, access denied) propagate.
 */
export async function writeEntries(
  w: WriterOptions,
  entries: readonly Entry[],
): Promise<{ outcomes: Outcome[]; indexItemsWritten: number }> {
  const outcomes = new Array<Outcome>(entries.length);
  const read = await getBatches(
    w.doc,
    w.table,
    entries.map((entry) => keyOf(entry.item)),
    { ...w.batch, consistentRead: true },
  );
  if (read.unprocessed.length > 0) {
    throw new Error(
      `BatchGetItem left ${read.unprocessed.length} keys unprocessed after the retries on table ${w.table} (throttling); run again later.`,
    );
  }
  const existing = new Map(read.items.map((item) => [keyString(item), item]));
  let pending: { index: number; entry: Entry; current: Item | undefined }[] = [];
  entries.forEach((entry, index) => {
    const current = existing.get(keyString(entry.item));
    const verdict = judge(current, entry);
    if (verdict) outcomes[index] = verdict;
    else pending.push({ index, entry, current });
  });

  const concurrency = w.concurrency ?? 8;
  const collisions = await mapLimit(pending, concurrency, ({ entry }) =>
    entry.entity === 'user' ? idCollision(w, entry) : Promise.resolve(undefined),
  );
  pending = pending.filter((p, i) => {
    const reason = collisions[i];
    if (reason) outcomes[p.index] = { kind: 'failed', reason };
    return !reason;
  });

  if (w.dryRun) {
    for (const p of pending) outcomes[p.index] = { kind: 'written' };
    return { outcomes, indexItemsWritten: 0 };
  }

  const index = pending.flatMap(({ entry }) =>
    entry.entity === 'audio'
      ? w.builders.suffixes(String(entry.item.filename), entry.item.transcript as string | null | undefined)
      : [],
  );
  const unindexed = await writeBatches(
    w.doc,
    w.table,
    index.map((Item) => ({ PutRequest: { Item } })),
    { ...w.batch, concurrency },
  );
  const broken = new Set(
    unindexed.map((request) => ('PutRequest' in request ? String(request.PutRequest.Item.filename) : '')),
  );
  pending = pending.filter((p) => {
    if (!broken.has(String(p.entry.item.filename)) || p.entry.entity !== 'audio') return true;
    outcomes[p.index] = {
      kind: 'failed',
      reason: 'search-index items stayed unprocessed after retries (throttling); run again',
    };
    return false;
  });

  const written = await mapLimit(pending, concurrency, ({ entry, current }) => writeOne(w, entry, current));
  pending.forEach((p, i) => {
    outcomes[p.index] = written[i] as Outcome;
  });
  return { outcomes, indexItemsWritten: index.length - unindexed.length };
}
