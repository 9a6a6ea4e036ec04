import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import { adminBootstrapped } from './dynamo/admins.js';
import * as audio from './dynamo/audio.js';
import { createContext } from './dynamo/context.js';
import { listAudioFiles } from './dynamo/list.js';
import { searchAudioFiles } from './dynamo/search.js';
import * as throttle from './dynamo/throttle.js';
import { upsertAudioFile } from './dynamo/upload.js';
import * as users from './dynamo/users.js';
import * as yoto from './dynamo/yoto.js';
import type { Store } from './store.js';

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Destroy the client on close(); leave false when the caller shares the client. */
  ownsClient?: boolean;
}

/**
 * The Store on DynamoDB through ElectroDB, on the Python service's keys and attribute names
 * (see lib/model/). Every method maps a missing table, missing credentials, access denied or an
 * unreachable endpoint to a StoreUnavailableError that names the fix.
 */
export function createDynamoStore({ client, tableName, ownsClient = false }: DynamoStoreOptions): Store {
  const ctx = createContext(client, tableName);
  const g = ctx.guard;
  return {
    listUsers: () => g(() => users.listUsers(ctx)),
    userCount: () => g(() => users.userCount(ctx)),
    getUser: (username) => g(() => users.getUser(ctx, username)),
    getUserById: (userId) => g(() => users.getUserById(ctx, userId)),
    createUser: (input) => g(() => users.createUser(ctx, input)),
    updateUser: (userId, changes) => g(() => users.updateUser(ctx, userId, changes)),
    deleteUser: (userId) => g(() => users.deleteUser(ctx, userId)),
    revokeSessions: (username) => g(() => users.revokeSessions(ctx, username)),
    ensureAdminUser: (input) => g(() => users.ensureAdminUser(ctx, input)),
    adminBootstrapped: () => g(() => adminBootstrapped(ctx)),
    saveYotoTokens: (username, input) => g(() => yoto.saveYotoTokens(ctx, username, input)),
    loadYotoTokens: (username) => g(() => yoto.loadYotoTokens(ctx, username)),
    acquireYotoTokenLock: (username, owner, options) =>
      g(() => yoto.acquireYotoTokenLock(ctx, username, owner, options)),
    releaseYotoTokenLock: (username, owner) => g(() => yoto.releaseYotoTokenLock(ctx, username, owner)),
    listAudioFiles: (options) => g(() => listAudioFiles(ctx, options)),
    searchAudioFiles: (query, options) => g(() => searchAudioFiles(ctx, query, options)),
    getAudioFile: (filename) => g(() => audio.getAudioFile(ctx, filename)),
    upsertAudioFile: (input) => g(() => upsertAudioFile(ctx, input)),
    updateTranscript: (input) => g(() => audio.updateTranscript(ctx, input)),
    setTranscriptStatus: (input) => g(() => audio.setTranscriptStatus(ctx, input)),
    deleteAudioFile: (filename) => g(() => audio.deleteAudioFile(ctx, filename)),
    loginFailures: (username, now) => g(() => throttle.getLoginFailures(ctx, username, now)),
    recordLoginFailure: (username, now) => g(() => throttle.recordLoginFailure(ctx, username, now)),
    clearLoginFailures: (username, now) => g(() => throttle.clearLoginFailures(ctx, username, now)),
    async close() {
      if (ownsClient) client.destroy();
    },
  };
}

/**
 * The store on `tableName` (the configured `DYNAMODB_TABLE`), on a client of its own for
 * `AWS_REGION` (and `DYNAMODB_ENDPOINT` when set) that close() destroys. `instrument` wraps the
 * client before use (the AWS composition root passes X-Ray's capture).
 */
export function openDynamoStore(
  tableName: string,
  config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>,
  instrument: (client: DynamoDBClient) => DynamoDBClient = (client) => client,
): Store {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  return createDynamoStore({ client: instrument(client), tableName, ownsClient: true });
}
