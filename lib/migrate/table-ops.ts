import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { counterEntity } from '../model/counter.js';
import { INDEX } from '../model/table.js';
import { createContext } from '../store/dynamo/context.js';
import { raiseUserIdCounter as raiseCounter } from '../store/dynamo/users.js';
import type { Item } from './items.js';

/** The counter the store takes new user ids from (see lib/store/dynamo/users.ts). */
export const USER_ID_COUNTER = 'user_id';

/** The store's raiseUserIdCounter for a table: never lowers the counter; true if it changed. */
export function raiseUserIdCounter(client: DynamoDBClient, table: string, minimum: number): Promise<boolean> {
  return raiseCounter(createContext(client, table), minimum);
}

/** The current value of the user-id counter (0 when missing). */
export async function readUserIdCounter(client: DynamoDBClient, table: string): Promise<number> {
  const counter = counterEntity({ table, client });
  const { data } = await counter.get({ name: USER_ID_COUNTER }).go({ ignoreOwnership: true });
  return Number(data?.value ?? 0);
}

/** Counts one entity's entries in the list index (GSI1 partition `USERS` or `AUDIO`), all pages. */
export async function countListed(
  doc: DynamoDBDocumentClient,
  table: string,
  partition: 'USERS' | 'AUDIO',
): Promise<number> {
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: INDEX.list,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    total += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return total;
}

/** The user item that holds this user_id in the by-id index (GSI2), if any. */
export async function userByIdIndex(
  doc: DynamoDBDocumentClient,
  table: string,
  userId: number,
): Promise<Item | undefined> {
  const page = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: INDEX.byId,
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': `USERID#${userId}` },
      Limit: 1,
    }),
  );
  return page.Items?.[0] as Item | undefined;
}
