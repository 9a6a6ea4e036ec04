import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreMisconfiguredError, StoreUnavailableError } from '../../lib/errors.js';
import { RETRYABLE_ERRORS } from '../../lib/ingest/errors.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';

/**
 * Which store failures the state machine retries: it matches on `error.name`, so a transient
 * failure must be named StoreUnavailableError (listed in RETRYABLE_ERRORS and every Task's Retry)
 * and one that retrying cannot fix must carry another name.
 *
 * Error bodies as DynamoDB sends them (JSON 1.0, `__type` + `message`), from the DynamoDB
 * developer guide, "Error handling with DynamoDB" (Programming.Errors.html): HTTP 400 for
 * ProvisionedThroughputExceededException, ThrottlingException, AccessDeniedException,
 * ResourceNotFoundException, UnrecognizedClientException; 500 InternalServerError; 503
 * ServiceUnavailable.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

const retried = (error: Error) => (RETRYABLE_ERRORS as readonly string[]).includes(error.name);

async function failureOf(client: DynamoDBClient): Promise<Error> {
  try {
    const error = await createDynamoStore({ client, tableName: 'audio' })
      .getAudioFile('a.mp3')
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  } finally {
    client.destroy();
  }
}

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });

/** The store's error when every request is answered with this status and DynamoDB error type. */
async function answering(status: number, type: string, message: string): Promise<Error> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1' });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await failureOf(clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('store failures the pipeline retries', () => {
  it.each([
    [
      400,
      'ProvisionedThroughputExceededException',
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    ],
    [400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.'],
    [500, 'InternalServerError', 'Internal server error'],
    [503, 'ServiceUnavailable', 'The service is currently unavailable or busy.'],
  ])('HTTP %i %s → StoreUnavailableError, retried by name', async (status, type, message) => {
    const error = await answering(status, type, message);
    expect(error.name).toBe('StoreUnavailableError');
    expect(retried(error)).toBe(true);
    expect(error.message).toContain(type);
    expect(error.message).toContain('"audio"');
  });

  it('an unreachable endpoint → StoreUnavailableError, retried by name', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failureOf(clientFor(`http://127.0.0.1:${port}`));
    expect(error.name).toBe('StoreUnavailableError');
    expect(retried(error)).toBe(true);
    expect(error.message).toMatch(/Cannot reach DynamoDB/);
  });
});

describe('store failures retrying cannot fix', () => {
  it('a missing table → StoreMisconfiguredError: not retried, still a StoreUnavailableError to callers', async () => {
    const error = await failureOf(dynamo.client());
    expect(error.name).toBe('StoreMisconfiguredError');
    expect(error).toBeInstanceOf(StoreMisconfiguredError);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(retried(error)).toBe(false);
    expect(error.message).toMatch(/was not found/);
  });

  it.each([
    [
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/ingest/fn is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/audio',
    ],
    ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
    ['ValidationException', 'The table does not have the specified index: GSI1'],
  ])('%s → StoreMisconfiguredError, not retried', async (type, message) => {
    const error = await answering(400, type, message);
    expect(error.name).toBe('StoreMisconfiguredError');
    expect(retried(error)).toBe(false);
  });
});
