import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError, ValidationError } from '../../lib/errors.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';

let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo?.close();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** A local endpoint that answers every request with one DynamoDB error, as AWS does on the wire. */
async function fakeDynamo(type: string, message: string): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1' });
      res.end(JSON.stringify({ __type: `com.amazon.coral.service#${type}`, Message: message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('DynamoDB adapter errors name the cause and the fix', () => {
  it('a missing table names the table and region and how to set DYNAMODB_TABLE / AWS_REGION', async () => {
    const client = dynamo.client();
    const store = createDynamoStore({ client, tableName: 'no-such-table' });
    const error = await failure(store.getAudioFile('a.mp3'));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain('"no-such-table"');
    expect(error.message).toContain('us-east-1');
    expect(error.message).toMatch(/DYNAMODB_TABLE/);
    expect(error.message).toMatch(/AWS_REGION/);
    // Writes and queries say the same.
    expect(await failure(store.upsertAudioFile({ filename: 'a.mp3', size: 1 }))).toBeInstanceOf(StoreUnavailableError);
    expect(await failure(store.listUsers())).toBeInstanceOf(StoreUnavailableError);
    client.destroy();
  });

  it('an unreachable endpoint names it and DYNAMODB_ENDPOINT', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const error = await failure(createDynamoStore({ client, tableName: 'audio' }).getUser('bob'));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toMatch(/DYNAMODB_ENDPOINT/);
    client.destroy();
  });

  it('no credentials at all says how to configure them', async () => {
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    // The SDK's default credential chain, finding nothing.
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 1 });
    const error = await failure(createDynamoStore({ client, tableName: 'audio' }).getAudioFile('a.mp3'));
    vi.unstubAllEnvs();
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/No AWS credentials/);
    expect(error.message).toMatch(/AWS_PROFILE/);
    expect(error.message).toMatch(/AWS_ACCESS_KEY_ID/);
    client.destroy();
  });

  it('access denied names the action and the resource to grant', async () => {
    const { endpoint, server } = await fakeDynamo(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/ingest/fn is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/audio because no identity-based policy allows the dynamodb:GetItem action',
    );
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const error = await failure(createDynamoStore({ client, tableName: 'audio' }).getAudioFile('a.mp3'));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain('dynamodb:GetItem');
    expect(error.message).toContain('arn:aws:dynamodb:us-east-1:123456789012:table/audio');
    expect(error.message).toMatch(/Grant/);
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('rejected credentials say to refresh them', async () => {
    const { endpoint, server } = await fakeDynamo(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const error = await failure(createDynamoStore({ client, tableName: 'audio' }).getAudioFile('a.mp3'));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/rejected the credentials/);
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('bad input stays a ValidationError and sends nothing', async () => {
    const client = dynamo.client();
    const store = createDynamoStore({ client, tableName: 'no-such-table' });
    expect(await failure(store.getAudioFile(''))).toBeInstanceOf(ValidationError);
    expect(await failure(store.listAudioFiles({ limit: 0 }))).toBeInstanceOf(ValidationError);
    client.destroy();
  });
});
