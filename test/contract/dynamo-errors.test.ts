import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeAwsError } from '../../lib/aws-errors.js';
import { StoreUnavailableError, ValidationError } from '../../lib/errors.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { errorName } from '../../lib/store/dynamo/errors.js';
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

/**
 * What a store's read fails with when its endpoint answers every request with one DynamoDB error,
 * as AWS does on the wire (status 400, `__type` and `Message` in a JSON body).
 */
async function failureAnswering(type: string, message: string): Promise<Error> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1' });
      res.end(JSON.stringify({ __type: `com.amazon.coral.service#${type}`, Message: message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  try {
    return await failure(createDynamoStore({ client, tableName: 'audio' }).getAudioFile('a.mp3'));
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Whether a message tells its reader to pass a migration CLI flag, which a function or the local
 * server has no way to take (a `quoted command` to run, such as create-table, is fine).
 */
const namesCliFlag = (message: string) =>
  /--(table|region|endpoint|concurrency)\b/.test(message.replace(/`[^`]*`/g, ''));

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
    const error = await failureAnswering(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/ingest/fn is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/audio because no identity-based policy allows the dynamodb:GetItem action',
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain('dynamodb:GetItem');
    expect(error.message).toContain('arn:aws:dynamodb:us-east-1:123456789012:table/audio');
    expect(error.message).toMatch(/Grant/);
    expect(error.message).toMatch(/execution role/);
  });

  it('rejected credentials say to refresh them', async () => {
    const error = await failureAnswering(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/rejected the credentials/);
  });

  it('throttling that outlasts the retries says so and what to change, as a 503', async () => {
    const error = await failureAnswering(
      'ProvisionedThroughputExceededException',
      'The level of configured provisioned throughput for the table was exceeded.',
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).status).toBe(503);
    expect(error.message).toMatch(/throttled .*table "audio".*ProvisionedThroughputExceededException/);
    expect(error.message).toMatch(/capacity/);
    expect(namesCliFlag(error.message)).toBe(false);
  });

  it('a table without the expected index says how to recreate it; other validation errors pass through', async () => {
    const missing = await failureAnswering('ValidationException', 'The table does not have the specified index: GSI1');
    expect(missing).toBeInstanceOf(StoreUnavailableError);
    expect(missing.message).toMatch(/table "audio" .*lacks an index .*GSI1.*create-table/);
    const other = await failureAnswering('ValidationException', 'One or more parameter values were invalid');
    expect(other).not.toBeInstanceOf(StoreUnavailableError);
    // Passed through unchanged: ElectroDB's error, with the SDK's behind it.
    expect(errorName(other)).toBe('ValidationException');
  });

  it('names environment variables, not CLI flags; the CLI still finds the AWS cause behind the store error', async () => {
    const client = dynamo.client();
    const error = await failure(createDynamoStore({ client, tableName: 'no-such-table' }).getUser('bob'));
    expect(error.message).toMatch(/DYNAMODB_TABLE=/);
    expect(namesCliFlag(error.message)).toBe(false);
    // The migration CLI describes the same failure for its own reader, flags included.
    expect(describeAwsError(error, { table: 'no-such-table', region: 'us-east-1' })).toMatch(
      /table "no-such-table" in region us-east-1 was not found.*--table and --region/,
    );
    client.destroy();
  });

  it('bad input stays a ValidationError and sends nothing', async () => {
    const client = dynamo.client();
    const store = createDynamoStore({ client, tableName: 'no-such-table' });
    expect(await failure(store.getAudioFile(''))).toBeInstanceOf(ValidationError);
    expect(await failure(store.listAudioFiles({ limit: 0 }))).toBeInstanceOf(ValidationError);
    client.destroy();
  });
});
