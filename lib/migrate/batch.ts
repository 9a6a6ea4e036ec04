import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Item, type Key, keyString } from './items.js';

/**
 * BatchWriteItem and BatchGetItem done right: 25 puts / 100 keys per call, UnprocessedItems and
 * UnprocessedKeys retried with bounded exponential backoff and jitter, throttling errors retried
 * the same way, and a bounded number of calls in flight.
 */

export const WRITE_BATCH = 25;
export const GET_BATCH = 100;

export interface BatchDeps {
  doc: DynamoDBDocumentClient;
  table: string;
  /** Calls in flight at once (default 8). */
  concurrency?: number;
  /** Attempts per batch, the first included (default 8). */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, capped at 5 s (default 50 ms). */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
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

function backoff(deps: BatchDeps, attempt: number): Promise<void> {
  const base = deps.baseDelayMs ?? 50;
  const cap = Math.min(base * 2 ** attempt, 5_000);
  // Full jitter: spreads the retries of concurrent batches so they do not collide again.
  return (deps.sleep ?? defaultSleep)(Math.round(cap / 2 + (Math.random() * cap) / 2));
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
 * Writes one batch of ≤ 25 puts, retrying what DynamoDB leaves unprocessed. Returns the items
 * still unprocessed after the last attempt (normally none); other errors propagate.
 */
export async function writeBatch(deps: BatchDeps, puts: Item[], stats: BatchStats): Promise<Item[]> {
  let pending = puts.map((item) => ({ PutRequest: { Item: item } }));
  const attempts = deps.maxAttempts ?? 8;
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) {
      stats.retries++;
      await backoff(deps, attempt);
    }
    stats.writeCalls++;
    try {
      const out = await deps.doc.send(new BatchWriteCommand({ RequestItems: { [deps.table]: pending } }));
      pending = (out.UnprocessedItems?.[deps.table] ?? []) as typeof pending;
    } catch (error) {
      if (!THROTTLED.has((error as Error).name) || attempt === attempts - 1) throw error;
    }
  }
  return pending.map((request) => request.PutRequest.Item as Item);
}

/** Writes any number of items in batches of 25 with bounded concurrency; returns the ones that failed. */
export async function writeAll(deps: BatchDeps, items: Item[], stats: BatchStats): Promise<Item[]> {
  const failed = await mapLimit(chunk(items, WRITE_BATCH), deps.concurrency ?? 8, (batch) =>
    writeBatch(deps, batch, stats),
  );
  return failed.flat();
}

/** Reads items by key (≤ 100 per call, UnprocessedKeys retried); the map is keyed by keyString. */
export async function getAll(deps: BatchDeps, keys: Key[], stats: BatchStats): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const attempts = deps.maxAttempts ?? 8;
  await mapLimit(chunk(keys, GET_BATCH), deps.concurrency ?? 8, async (batch) => {
    let pending: Key[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= attempts) {
        throw new Error(
          `BatchGetItem left ${pending.length} keys unprocessed after ${attempts} attempts on table ${deps.table}; run again later.`,
        );
      }
      if (attempt > 0) {
        stats.retries++;
        await backoff(deps, attempt);
      }
      stats.getCalls++;
      try {
        const out = await deps.doc.send(
          new BatchGetCommand({ RequestItems: { [deps.table]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[deps.table] ?? []) found.set(keyString(item), item);
        pending = (out.UnprocessedKeys?.[deps.table]?.Keys ?? []) as Key[];
      } catch (error) {
        if (!THROTTLED.has((error as Error).name) || attempt === attempts - 1) throw error;
      }
    }
  });
  return found;
}
