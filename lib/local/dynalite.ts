import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface LocalDynamo {
  endpoint: string;
  /** A client for this endpoint with dummy credentials (dynalite checks none). */
  client(): DynamoDBClient;
  close(): Promise<void>;
}

/**
 * Starts an in-memory dynalite (real DynamoDB wire protocol) on 127.0.0.1. Port 0 picks a free
 * port. Used by `STORE=dynamodb` local mode, the tests and the benchmarks.
 */
export async function startDynalite(port = 0): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${actual}`;
  return {
    endpoint,
    client: () => dynaliteClient(endpoint),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client for a dynalite endpoint, with dummy credentials (dynalite checks none). */
export function dynaliteClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}
