import type { DynamoDBDocumentClient, NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailableError } from '../../errors.js';
import type { DynamoContext } from './context.js';

/**
 * BatchWriteItem and BatchGetItem done right, for the store and the migration alike: 25 writes /
 * 100 keys per call, UnprocessedItems and UnprocessedKeys (and throttling errors the SDK's own
 * retries gave up on) retried with bounded exponential backoff and full jitter, and a bounded
 * number of calls in flight. Neither the SDK nor ElectroDB retries unprocessed items, hence this.
 */

export type Item = Record<string, NativeAttributeValue>;
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/** DynamoDB's per-call limits. */
export const WRITE_BATCH = 25;
export const GET_BATCH = 100;

export interface BatchOptions {
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** Attempts per batch, the first included (default 8). */
  maxAttempts?: number;
  /** The backoff ceiling of the first retry; it doubles per attempt (default 25 ms). */
  baseDelayMs?: number;
  /** The highest backoff ceiling (default 2 s). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Counts calls and retries when given. */
  stats?: BatchStats;
}

export interface BatchStats {
  /** BatchWriteItem calls made (retries included). */
  writeCalls: number;
  /** BatchGetItem calls made (retries included). */
  getCalls: number;
  /** Calls that were repeats for unprocessed items or throttling. */
  retries: number;
}

export function newStats(): BatchStats {
  return { writeCalls: 0, getCalls: 0, retries: 0 };
}

const THROTTLED = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Full jitter: a random wait between 0 and the attempt's ceiling (base × 2^attempt, capped), which
 * spreads the retries of concurrent batches so they do not collide again.
 */
export function backoffMs(attempt: number, options: BatchOptions = {}, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs ?? 2_000, (options.baseDelayMs ?? 25) * 2 ** attempt);
  return random() * ceiling;
}

/** Splits a list into chunks of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Retries `call` on what it leaves pending and on throttling errors, with backoff, for at most
 * `maxAttempts` calls; returns what is still pending after the last (normally nothing).
 */
async function withRetries<T>(
  pending: T[],
  call: (pending: T[]) => Promise<T[]>,
  options: BatchOptions,
  count: (stats: BatchStats) => void,
): Promise<T[]> {
  const attempts = options.maxAttempts ?? 8;
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) {
      if (options.stats) options.stats.retries++;
      await (options.sleep ?? defaultSleep)(backoffMs(attempt, options));
    }
    if (options.stats) count(options.stats);
    try {
      pending = await call(pending);
    } catch (error) {
      if (!THROTTLED.has((error as Error).name) || attempt === attempts - 1) throw error;
    }
  }
  return pending;
}

/**
 * Writes the requests in calls of 25 with bounded concurrency; returns the requests still
 * unprocessed after the last attempt (the caller decides whether that is a failure).
 */
export async function writeBatches(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  options: BatchOptions = {},
): Promise<WriteRequest[]> {
  const left = await mapLimit(chunk(requests, WRITE_BATCH), options.concurrency ?? 4, (batch) =>
    withRetries(
      batch,
      async (pending) => {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        return (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      },
      options,
      (stats) => stats.writeCalls++,
    ),
  );
  return left.flat();
}

/**
 * Reads items by key in calls of 100 with bounded concurrency, consistently when asked; returns
 * the items found (in no particular order) and the keys still unprocessed after the last attempt.
 */
export async function getBatches(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Item[],
  options: BatchOptions & { consistentRead?: boolean } = {},
): Promise<{ items: Item[]; unprocessed: Item[] }> {
  const consistent = options.consistentRead ? { ConsistentRead: true } : {};
  const items: Item[] = [];
  const left = await mapLimit(chunk(keys, GET_BATCH), options.concurrency ?? 4, (batch) =>
    withRetries(
      batch,
      async (pending) => {
        const out = await doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ...consistent } } }),
        );
        items.push(...((out.Responses?.[table] ?? []) as Item[]));
        return (out.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
      },
      options,
      (stats) => stats.getCalls++,
    ),
  );
  return { items, unprocessed: left.flat() };
}

/**
 * The store's batch write: every request written, or a StoreUnavailableError once a batch stays
 * unprocessed after 8 attempts (throttling that outlasts the backoff).
 */
export async function batchWriteAll(ctx: DynamoContext, requests: readonly WriteRequest[]): Promise<void> {
  const left = await writeBatches(ctx.doc, ctx.tableName, requests);
  if (left.length > 0) {
    throw new StoreUnavailableError(
      `DynamoDB left ${left.length} search-index writes unprocessed after 8 attempts (throttling on table "${ctx.tableName}"); retry later.`,
    );
  }
}

/**
 * The store's batch read, `consistentRead` for reads that must see the latest writes; a
 * StoreUnavailableError when keys stay unprocessed after 8 attempts. Order is not kept.
 */
export async function batchGetAll(
  ctx: DynamoContext,
  keys: readonly Item[],
  options: { consistentRead?: boolean } = {},
): Promise<Item[]> {
  const { items, unprocessed } = await getBatches(ctx.doc, ctx.tableName, keys, options);
  if (unprocessed.length > 0) {
    throw new StoreUnavailableError(
      `DynamoDB left ${unprocessed.length} reads unprocessed after 8 attempts (throttling on table "${ctx.tableName}"); retry later.`,
    );
  }
  return items;
}
