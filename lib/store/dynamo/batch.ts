import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailableError } from '../../errors.js';
import type { DynamoContext } from './context.js';

type Item = Record<string, NativeAttributeValue>;
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/** DynamoDB's BatchWriteItem limit. */
const BATCH_WRITE_SIZE = 25;
const BATCH_GET_SIZE = 100;
const MAX_ATTEMPTS = 8;
const PARALLEL_BATCHES = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Full-jitter exponential backoff: 25 ms, 50 ms, … capped at 2 s. */
const backoff = (attempt: number) => sleep(Math.random() * Math.min(2_000, 25 * 2 ** attempt));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function inParallel<T>(jobs: T[], run: (job: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await run(jobs[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, jobs.length) }, worker));
}

/**
 * Writes the requests in BatchWriteItem calls of 25, retrying UnprocessedItems with backoff
 * (bounded: gives up with a StoreUnavailableError after 8 attempts of one batch).
 */
export async function batchWriteAll(ctx: DynamoContext, requests: readonly WriteRequest[]): Promise<void> {
  await inParallel(chunks(requests, BATCH_WRITE_SIZE), async (batch) => {
    let pending: WriteRequest[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new StoreUnavailableError(
          `DynamoDB left ${pending.length} search-index writes unprocessed after ${MAX_ATTEMPTS} attempts (throttling on table "${ctx.tableName}"); retry later.`,
        );
      }
      if (attempt > 0) await backoff(attempt);
      const result = await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } }));
      pending = (result.UnprocessedItems?.[ctx.tableName] ?? []) as WriteRequest[];
    }
  });
}

/**
 * Reads items by key with BatchGetItem (100 per call), retrying UnprocessedKeys; order not kept.
 * `consistentRead` for reads that must see the latest writes (the login throttle's counters).
 */
export async function batchGetAll(
  ctx: DynamoContext,
  keys: readonly Item[],
  options: { consistentRead?: boolean } = {},
): Promise<Item[]> {
  const consistent = options.consistentRead ? { ConsistentRead: true } : {};
  const found: Item[] = [];
  for (const batch of chunks(keys, BATCH_GET_SIZE)) {
    let pending: Item[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new StoreUnavailableError(
          `DynamoDB left ${pending.length} reads unprocessed after ${MAX_ATTEMPTS} attempts (throttling on table "${ctx.tableName}"); retry later.`,
        );
      }
      if (attempt > 0) await backoff(attempt);
      const result = await ctx.doc.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: pending, ...consistent } } }),
      );
      found.push(...((result.Responses?.[ctx.tableName] ?? []) as Item[]));
      pending = (result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}
