import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AudioEntity, audioEntity } from '../../model/audio.js';
import { type CounterEntity, counterEntity } from '../../model/counter.js';
import { type MarkerEntity, markerEntity } from '../../model/marker.js';
import { type SearchTermEntity, searchTermEntity } from '../../model/search.js';
import { type LoginFailureEntity, loginFailureEntity } from '../../model/throttle.js';
import { type UserEntity, userEntity } from '../../model/user.js';
import { mapDynamoError, type Target } from './errors.js';

/** What every part of the DynamoDB adapter shares: entities, clients and the error mapper. */
export interface DynamoContext {
  tableName: string;
  client: DynamoDBClient;
  /** For the few requests ElectroDB cannot express (the upload upsert, counts, batches). */
  doc: DynamoDBDocumentClient;
  user: UserEntity;
  audio: AudioEntity;
  term: SearchTermEntity;
  counter: CounterEntity;
  marker: MarkerEntity;
  loginFailure: LoginFailureEntity;
  /** Runs one store operation, mapping infrastructure failures to StoreUnavailableError. */
  guard<T>(operation: () => Promise<T>): Promise<T>;
}

/** Builds the shared context for one table. */
export function createContext(client: DynamoDBClient, tableName: string): DynamoContext {
  const config = { table: tableName, client };
  // The document client shares the base client's middleware stack, so request counters and
  // tracing see every request whichever path sent it.
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  let target: Promise<Target> | undefined;
  const resolveTarget = async (): Promise<Target> => {
    const region = await client.config.region().catch(() => 'unknown');
    const endpoint = client.config.endpoint ? await client.config.endpoint().catch(() => undefined) : undefined;
    const url = endpoint
      ? `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`
      : undefined;
    return { tableName, region, ...(url ? { endpoint: url } : {}) };
  };
  return {
    tableName,
    client,
    doc,
    user: userEntity(config),
    audio: audioEntity(config),
    term: searchTermEntity(config),
    counter: counterEntity(config),
    marker: markerEntity(config),
    loginFailure: loginFailureEntity(config),
    async guard(operation) {
      try {
        return await operation();
      } catch (error) {
        target ??= resolveTarget();
        throw mapDynamoError(error, await target);
      }
    },
  };
}
