import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

/**
 * The one definition of the table: keys, GSIs and their projections. `createTable` (tests, local
 * mode) and the CDK stack both build the table from this plain data, so they cannot drift.
 *
 * GSI attribute names are generic and overloaded by entity (single-table design):
 * - GSI1 (list):   users `USERS` / lower-cased username; audio `AUDIO` / filename (stable order).
 * - GSI2 (by id):  users `USERID#<user_id>` / `PROFILE`.
 * - GSI3 (search): suffix items `SUF#<first char>` / `<suffix of the lower-cased filename>`.
 *
 * `timeToLiveAttribute` (epoch seconds) lets DynamoDB delete the failed-login counters of ended
 * windows (lib/model/throttle.ts). TTL is a deployed table's setting (the CDK stack sets it);
 * `createTable` leaves it out, as dynalite has no TTL and nothing reads an ended window anyway.
 */
export const TABLE_DEFINITION = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  timeToLiveAttribute: 'expires_at',
  globalSecondaryIndexes: [
    {
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: 'S' },
      sortKey: { name: 'GSI1SK', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: 'GSI2',
      partitionKey: { name: 'GSI2PK', type: 'S' },
      sortKey: { name: 'GSI2SK', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: 'GSI3',
      partitionKey: { name: 'GSI3PK', type: 'S' },
      sortKey: { name: 'GSI3SK', type: 'S' },
      // Search reads only which file matched at which position, then fetches the rows fresh.
      projection: { include: ['filename', 'pos'] },
    },
  ],
} as const satisfies TableDefinition;

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  billingMode: 'PAY_PER_REQUEST';
  /** Number attribute (epoch seconds) after which DynamoDB may delete an item. */
  timeToLiveAttribute?: string;
  globalSecondaryIndexes: readonly {
    indexName: string;
    partitionKey: KeyAttribute;
    sortKey: KeyAttribute;
    projection: 'ALL' | 'KEYS_ONLY' | { include: readonly string[] };
  }[];
}

/** Index names, for the adapter's queries. */
export const INDEX = { list: 'GSI1', byId: 'GSI2', search: 'GSI3' } as const;

/** Builds the CreateTable request from TABLE_DEFINITION. */
function createTableInput(tableName: string, def: TableDefinition = TABLE_DEFINITION): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const keys = [
    def.partitionKey,
    def.sortKey,
    ...def.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  for (const key of keys) attributes.set(key.name, key.type);
  return {
    TableName: tableName,
    BillingMode: def.billingMode,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((gsi) => ({
      IndexName: gsi.indexName,
      KeySchema: [
        { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection:
        typeof gsi.projection === 'string'
          ? { ProjectionType: gsi.projection }
          : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gsi.projection.include] },
    })),
  };
}

/**
 * Creates the table (keys and GSIs from TABLE_DEFINITION) and waits until it and its indexes are
 * ACTIVE. An existing table is fine: the call is idempotent.
 */
export async function createTable(client: DynamoDBClient, tableName: string, maxWaitMs = 300_000): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + maxWaitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 5_000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Table ${tableName} did not become ACTIVE within ${maxWaitMs / 1000} s; check it in the DynamoDB console.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
