import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import { storeContract } from './store-contract.js';

let dynamo: LocalDynamo;
let client: DynamoDBClient;
const tables: string[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
  client = dynamo.client();
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

storeContract({
  name: 'DynamoDB (dynalite)',
  async open() {
    const tableName = `contract-${randomUUID()}`;
    await createTable(client, tableName);
    tables.push(tableName);
    return createDynamoStore({ client, tableName });
  },
  async reopen() {
    const tableName = tables.at(-1);
    if (!tableName) throw new Error('reopen() before open()');
    return createDynamoStore({ client, tableName });
  },
  async cleanup() {
    for (const TableName of tables.splice(0)) await client.send(new DeleteTableCommand({ TableName }));
  },
});
