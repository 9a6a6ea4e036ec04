import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Test helpers on the real wire: a middleware that counts (and optionally holds back) the
 * BatchWriteItem requests a client sends, and a full scan of a table for comparisons.
 */

export interface WireCounter {
  batchWrites: number;
  itemsWritten: number;
  /** Items returned as UnprocessedItems instead of being sent. */
  heldBack: number;
}

/**
 * Counts BatchWriteItem calls on this client; with `holdBack`, the given share of each call's
 * items is not sent and comes back as UnprocessedItems, like a throttled table answers.
 */
export function watchBatchWrites(
  client: DynamoDBClient,
  options: { holdBack?: (call: number) => number } = {},
): WireCounter {
  const counter: WireCounter = { batchWrites: 0, itemsWritten: 0, heldBack: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { RequestItems?: Record<string, unknown> };
      const [table, requests] = Object.entries(input.RequestItems ?? {})[0] ?? [];
      if (!table || !Array.isArray(requests)) return next(args);
      counter.batchWrites++;
      const hold = Math.min(requests.length, Math.max(0, options.holdBack?.(counter.batchWrites) ?? 0));
      const kept = requests.slice(0, requests.length - hold);
      const withheld = requests.slice(requests.length - hold);
      counter.itemsWritten += kept.length;
      counter.heldBack += withheld.length;
      // DynamoDB rejects an empty batch: when everything is held back, answer without sending.
      const result =
        kept.length > 0
          ? await next({ ...args, input: { ...input, RequestItems: { [table]: kept } } })
          : ({ output: { $metadata: {} }, response: {} } as Awaited<ReturnType<typeof next>>);
      if (withheld.length > 0) {
        const output = result.output as { UnprocessedItems?: Record<string, unknown[]> };
        output.UnprocessedItems = { [table]: [...(output.UnprocessedItems?.[table] ?? []), ...withheld] };
      }
      return result;
    },
    { step: 'initialize', name: 'watchBatchWrites' },
  );
  return counter;
}

/** Every item of the table (all pages), sorted by PK then SK. */
export async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  const key = (i: Record<string, unknown>) => `${String(i.PK)}\u0000${String(i.SK)}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
