import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import type { Store } from '../../lib/store/store.js';

/**
 * DynamoDB items as the Python service wrote them: plain boto3 marshalling, no ElectroDB markers
 * and no index keys. Written by hand rather than with the production item builders, so the tests
 * check our code against what the Python service really left in the table.
 */

export type RawItem = Record<string, unknown>;

/** What a test sees: dynalite's client, a boto3-like document client, a fresh table and the store on it. */
export interface RawTable {
  client: DynamoDBClient;
  /** Plain marshalling, like the Python service's boto3 Table resource: no ElectroDB involved. */
  raw: DynamoDBDocumentClient;
  table: string;
  store: Store;
}

/**
 * Starts dynalite for the calling test file and gives each test a new table (from
 * TABLE_DEFINITION, named `<prefix>-<uuid>`) with a store on it; the fields are set by the hooks.
 */
export function useRawTable(prefix: string): RawTable {
  let dynamo: LocalDynamo | undefined;
  const state = {} as RawTable;
  beforeAll(async () => {
    dynamo = await startDynalite();
    state.client = dynamo.client();
    state.raw = DynamoDBDocumentClient.from(state.client);
  });
  afterAll(async () => {
    state.client?.destroy();
    await dynamo?.close();
  });
  beforeEach(async () => {
    state.table = `${prefix}-${randomUUID()}`;
    await createTable(state.client, state.table);
    state.store = createDynamoStore({ client: state.client, tableName: state.table });
  });
  return state;
}

/** The timestamp the Python items carry unless a test says otherwise: naive `isoformat()`. */
export const PYTHON_TIME = '2024-05-01T12:00:00.000000';

/** A Python user item at `user#<lower-cased name>`/PROFILE; `extra` overrides or adds attributes (PK too). */
export function pythonUserItem(username: string, userId: number, extra: RawItem = {}): RawItem {
  return {
    PK: `user#${username.toLowerCase()}`,
    SK: 'PROFILE',
    user_id: userId,
    username,
    email: `${username.toLowerCase()}@example.com`,
    hashed_password: `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$${username}`,
    is_active: true,
    is_admin: false,
    created_at: PYTHON_TIME,
    updated_at: PYTHON_TIME,
    ...extra,
  };
}

/** A Python audio item at `AUDIO#<filename>`/METADATA, transcribed; `extra` overrides or adds attributes. */
export function pythonAudioItem(filename: string, extra: RawItem = {}): RawItem {
  return {
    PK: `AUDIO#${filename}`,
    SK: 'METADATA',
    filename,
    size: 1234,
    duration: 61,
    transcript_status: 'completed',
    transcript: 'hello',
    created_at: PYTHON_TIME,
    updated_at: PYTHON_TIME,
    ...extra,
  };
}

/** Writes items as they are (BatchWriteItem, 25 a call), bypassing the store. */
export async function putRawItems(raw: DynamoDBDocumentClient, table: string, items: RawItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await raw.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
  }
}

/** Reads one item as it is stored, bypassing the store. */
export async function getRawItem(
  raw: DynamoDBDocumentClient,
  table: string,
  PK: string,
  SK: string,
): Promise<RawItem | undefined> {
  return (await raw.send(new GetCommand({ TableName: table, Key: { PK, SK } }))).Item;
}

/** Creates a table as the Python service's CDK stack did: string PK and SK, no secondary indexes. */
export async function createPythonTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
    }),
  );
}
