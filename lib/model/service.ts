import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The ElectroDB service name shared by every entity of the table. */
export const SERVICE = 'audioingest';

/** What every entity factory takes: the table name and a DynamoDB client (v3). */
export interface EntityConfig {
  table: string;
  client: DynamoDBClient;
}
