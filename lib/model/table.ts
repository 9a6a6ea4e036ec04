import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/**
 * The one definition of the table: keys, GSIs and their projections. `createTable` (tests, local
 * mode) and the CDK stack both build the table from this plain data, so they cannot drift.
 *
 * GSI attribute names are generic and overloaded by entity (single-table design):
 * - GSI1 (list):   users `USERS` / lower-cased username; audio `AUDIO` / filename (stable order).
 * - GSI2 (by id):  users `USERID#<user_id>` / `PROFILE`.
 * - GSI3 (search): index items `NAME#<1–3 characters of the lower-cased filename>` or
 *   `WORD#<transcript word prefix>` / filename (lib/model/search.ts). Its projection (filename,
 *   pos) predates those items and is kept: a projection change would replace the index.
 *
 * `timeToLiveAttribute` (epoch seconds) lets DynamoDB delete a login-throttle counter
 * (lib/model/throttle.ts) once it has drained: each counter forgets one failure per interval of its
 * own and makes no one wait any more by then (lib/store/login-failures.ts `expiresAt`, plus a
 * margin). TTL is a deployed table's setting (the CDK stack sets it); `createTable` leaves it out,
 * as dynalite has no TTL and a drained counter counts and waits like a missing one anyway.
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
      // Search reads only which files hold a term, then fetches the rows fresh.
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
 * Creates the table (keys and GSIs from TABLE_DEFINITION) and waits until it is ACTIVE with the
 * SDK's waiter. An existing table is fine: the call is idempotent, and it checks that the table
 * has every index of the definition, ready.
 */
export async function createTable(client: DynamoDBClient, tableName: string, maxWaitMs = 300_000): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const { reason } = await waitUntilTableExists(
    // Seconds; a short first delay keeps local tables (dynalite) quick, real ones poll less often.
    { client, maxWaitTime: Math.max(0.5, maxWaitMs / 1000), minDelay: 0.2, maxDelay: 10 },
    { TableName: tableName },
  );
  // The waiter looks at TableStatus only. Indexes made by CreateTable are ACTIVE with the table
  // (DynamoDB and dynalite alike); an index added later to an existing table backfills while the
  // table is ACTIVE, and an older table may lack one: both are reported rather than used half-built.
  const table = (reason as DescribeTableCommandOutput | undefined)?.Table;
  const indexes = new Map((table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.IndexStatus]));
  const missing = TABLE_DEFINITION.globalSecondaryIndexes.map((g) => g.indexName).filter((name) => !indexes.has(name));
  if (missing.length > 0) {
    throw new Error(
      `Table ${tableName} has no index ${missing.join(', ')}; deploy the stack (it adds the index) or create the table anew.`,
    );
  }
  const building = [...indexes].filter(([, status]) => status !== 'ACTIVE');
  if (building.length > 0) {
    const list = building.map(([name, status]) => `${name} is ${status}`).join(', ');
    throw new Error(`Table ${tableName} is ACTIVE but ${list}; wait until every index is ACTIVE and retry.`);
  }
}
