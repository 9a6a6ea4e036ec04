import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { throttleCounters } from '../../lib/auth/throttle.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable, TABLE_DEFINITION } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import type { Store } from '../../lib/store/store.js';
import { countRequests, type RequestCounter } from '../helpers/request-counter.js';

/** What the DynamoDB adapter's throttle counters send on the wire, and how they race. */
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let counter: RequestCounter;
let table: string;
let store: Store;

beforeAll(async () => {
  dynamo = await startDynalite();
  client = dynamo.client();
  counter = countRequests(client);
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});
beforeEach(async () => {
  table = `throttle-${randomUUID()}`;
  await createTable(client, table);
  store = createDynamoStore({ client, tableName: table });
  counter.reset();
});

const now = new Date(Date.UTC(2026, 0, 1, 12, 0, 30));
const attempt = { username: 'Mallory', address: '198.51.100.7' };

describe('DynamoDB login-throttle requests', () => {
  it('an attempt is one consistent BatchGetItem, then one conditional UpdateItem per counter', async () => {
    expect((await store.recordLoginFailure(throttleCounters(attempt), now)).allowed).toBe(true);
    const [read, ...writes] = counter.requests;
    expect(counter.operations()).toEqual(['BatchGetItem', 'UpdateItem', 'UpdateItem', 'UpdateItem']);
    expect((read!.body.RequestItems as Record<string, { ConsistentRead?: boolean }>)[table]?.ConsistentRead).toBe(true);
    expect(writes.map((w) => w.body.Key)).toEqual([
      { PK: { S: 'THROTTLE#pair:198.51.100.7|mallory' }, SK: { S: 'LOGIN' } },
      { PK: { S: 'THROTTLE#address:198.51.100.7' }, SK: { S: 'LOGIN' } },
      { PK: { S: 'THROTTLE#account:mallory' }, SK: { S: 'LOGIN' } },
    ]);
    for (const { body } of writes) {
      // A first write must not overwrite a counter another container created meanwhile.
      expect(body.ConditionExpression).toMatch(/attribute_not_exists/);
      expect(Object.values(body.ExpressionAttributeNames as Record<string, string>)).toContain(
        TABLE_DEFINITION.timeToLiveAttribute,
      );
      // No index attributes: the counters stay out of every listing and search.
      expect(JSON.stringify(body)).not.toMatch(/GSI/);
    }

    counter.reset();
    await store.recordLoginFailure(throttleCounters(attempt), now);
    // A later write is conditional on the state it read: a compare-and-set.
    for (const { body } of counter.requests.slice(1)) expect(body.ConditionExpression).toMatch(/= :.*AND.*= :/);
  });

  it('a refused attempt is the read alone; clearing deletes one counter and takes back from two', async () => {
    const slow = { free: 1, baseDelayMs: 60_000, maxDelayMs: 60_000, forgetOneEveryMs: 3_600_000 };
    const counters = throttleCounters(attempt, { accountAtAddress: slow, address: slow, account: slow });
    await store.recordLoginFailure(counters, now);
    counter.reset();
    expect(await store.recordLoginFailure(counters, now)).toEqual({ allowed: false, retryAfterMs: 60_000 });
    expect(counter.operations()).toEqual(['BatchGetItem']);
    counter.reset();
    const [pair, ...others] = counters as [(typeof counters)[0], ...typeof counters];
    await store.clearLoginFailures({ clear: [pair.key], uncount: others }, now);
    // Taking back is a compare-and-set too: a consistent read, then a conditional write.
    expect(counter.operations().sort()).toEqual(['DeleteItem', 'GetItem', 'GetItem', 'UpdateItem', 'UpdateItem']);
  });

  it('sets the TTL to when the counter has forgotten everything, plus a minute', async () => {
    const rule = { free: 5, baseDelayMs: 1_000, maxDelayMs: 900_000, forgetOneEveryMs: 90_000 };
    await store.recordLoginFailure([{ key: 'account:ttl', rule }], now);
    const values = JSON.stringify(counter.requests[1]?.body.ExpressionAttributeValues);
    expect(values).toContain(`"N":"${Math.ceil((now.getTime() + 90_000) / 1000) + 60}"`);
  });

  it('two containers on one table share the counters', async () => {
    const other = createDynamoStore({ client: dynamo.client(), tableName: table, ownsClient: true });
    const rule = { free: 2, baseDelayMs: 5_000, maxDelayMs: 5_000, forgetOneEveryMs: 3_600_000 };
    expect((await store.recordLoginFailure([{ key: 'account:shared', rule }], now)).allowed).toBe(true);
    expect((await other.recordLoginFailure([{ key: 'account:shared', rule }], now)).allowed).toBe(true);
    expect(await store.recordLoginFailure([{ key: 'account:shared', rule }], now)).toEqual({
      allowed: false,
      retryAfterMs: 5_000,
    });
    await other.close();
  });
});
