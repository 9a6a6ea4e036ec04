import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import { storeContract } from './store-contract.js';

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let tableName: string | undefined;

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
    tableName = `contract-${randomUUID()}`;
    await createTable(client, tableName);
    return createDynamoStore({ client, tableName });
  },
  async cleanup() {
    if (tableName) await client.send(new DeleteTableCommand({ TableName: tableName }));
    tableName = undefined;
  },
});
