import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '../../lib/model/table.js';
import { createPythonTable } from '../helpers/python-items.js';

/** dynalite that takes its time creating tables, as DynamoDB does (CREATING, then ACTIVE). */
let server: ReturnType<typeof dynalite>;
let client: DynamoDBClient;

beforeAll(async () => {
  server = dynalite({ createTableMs: 1_500 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const describeTable = async (TableName: string) => (await client.send(new DescribeTableCommand({ TableName }))).Table;

describe('createTable', () => {
  it('returns once the table and its indexes are ACTIVE, not while CREATING', async () => {
    const name = `slow-${randomUUID()}`;
    const started = Date.now();
    await createTable(client, name);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    const table = await describeTable(name);
    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.GlobalSecondaryIndexes?.map((g) => g.IndexStatus)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
  });

  it('waits for a table another caller is creating (ResourceInUse), and is idempotent', async () => {
    const name = `shared-${randomUUID()}`;
    // The status each caller sees the moment its own call returns: one that returned early on
    // ResourceInUse would see CREATING.
    const statusOnReturn = () => createTable(client, name).then(async () => (await describeTable(name))?.TableStatus);
    expect(await Promise.all([statusOnReturn(), statusOnReturn()])).toEqual(['ACTIVE', 'ACTIVE']);
    expect(await statusOnReturn()).toBe('ACTIVE');
  });

  it('names the index an existing table lacks, instead of returning a table search cannot use', async () => {
    const name = `old-${randomUUID()}`;
    // The Python service's table: PK and SK, none of the secondary indexes.
    await createPythonTable(client, name);
    await expect(createTable(client, name)).rejects.toThrow(/has no index GSI1, GSI2, GSI3; deploy the stack/);
  });

  it('gives up after its time limit with the SDK waiter error', async () => {
    const name = `late-${randomUUID()}`;
    await expect(createTable(client, name, 500)).rejects.toThrow(/timed out|TimeoutError|exceeded/i);
  });
});
