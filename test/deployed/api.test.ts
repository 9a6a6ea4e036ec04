import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import type { ApiServer } from '../../lib/local/server.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import type { Store } from '../../lib/store/store.js';
import { captureEmf, metricValues } from '../helpers/emf.js';
import { ADMIN_PASSWORD, API_SECRETS, callApi, startBundledApi } from './api-harness.js';
import { removeBundleCopies } from './bundles.js';
import { applyEnvironment, lambdaEnvironment } from './environment.js';
import { type StepFunctionsFake, startStepFunctionsFake } from './fakes/step-functions.js';

/**
 * The HTTP API served by the deployed bundles of functions/api/*: the local front door builds the
 * API Gateway events, each route goes to its function's bundle, and the bundles find the table
 * (dynalite) and their settings only through environment variables, as in Lambda.
 */
const TABLE = 'audio-ingest-api-deployed';
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let store: Store;
let api: ApiServer;
let restore: () => void;
let sfn: StepFunctionsFake;
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:audio-ingest-dev-ingest-audio';

beforeAll(async () => {
  dynamo = await startDynalite();
  client = dynamo.client();
  await createTable(client, TABLE);
  store = createDynamoStore({ client, tableName: TABLE });
  // Records the runs the API starts (nothing runs them) and answers the calls that find and stop them.
  sfn = await startStepFunctionsFake({
    stateMachineArn: STATE_MACHINE_ARN,
    starter: { start: async () => ({ started: true }) },
  });
  restore = applyEnvironment({
    ...lambdaEnvironment({
      DYNAMODB_TABLE: TABLE,
      AUDIO_BUCKET: 'audio',
      STATE_MACHINE_ARN,
      ...API_SECRETS,
      LOG_LEVEL: 'SILENT',
    }),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'deployed-test',
    AWS_SECRET_ACCESS_KEY: 'deployed-test',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    S3_ENDPOINT: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SFN: sfn.url,
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  api = await startBundledApi();
  await store.upsertAudioFile({ filename: 'morning talk (1).mp3', size: 2048, duration: 61 });
});

afterAll(async () => {
  await api?.close();
  await sfn?.close();
  await store?.close();
  client?.destroy();
  await dynamo?.close();
  restore?.();
  removeBundleCopies();
});

const call = (method: string, path: string, options: { body?: unknown; cookie?: string } = {}) =>
  callApi(api, method, path, options);

let session = '';

describe('the deployed API functions', () => {
  it('log the admin in (created from ADMIN_PASSWORD by the first login) and set the session cookie', async () => {
    const response = await call('POST', '/api/user/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, username: 'admin' });
    expect(typeof response.body.access_token).toBe('string');
    const cookie = response.headers.getSetCookie().find((value) => value.startsWith('session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i); // APP_ENV=aws, as the stack sets it
    session = (cookie as string).split(';')[0] as string;
  });

  it('refuse a wrong password with the same 401 for every cause, counted as a login failure', async () => {
    let response: Awaited<ReturnType<typeof call>> | undefined;
    const emf = await captureEmf(async () => {
      response = await call('POST', '/api/user/login', { body: { username: 'admin', password: 'wrong' } });
    });
    expect(response).toMatchObject({ status: 401, body: { detail: 'Incorrect username or password' } });
    expect(metricValues(emf).LoginFailures).toEqual([1]);
  });

  it('read the session from the cookie', async () => {
    const response = await call('GET', '/api/user/session', { cookie: session });
    expect(response).toMatchObject({ status: 200, body: { authenticated: true, username: 'admin', is_admin: true } });
  });

  it('list the audio files from the table, and refuse the list without a session', async () => {
    const listed = await call('GET', '/api/audio/list', { cookie: session });
    expect(listed.status).toBe(200);
    expect(listed.body.count).toBe(1);
    expect(listed.body.files).toEqual([
      expect.objectContaining({
        filename: 'morning talk (1).mp3',
        size: 2048,
        duration: 61,
        transcript_status: 'pending',
      }),
    ]);
    expect(await call('GET', '/api/audio/list')).toMatchObject({ status: 401, body: { detail: expect.any(String) } });
  });

  it("answer a file's metadata for its URL-encoded name", async () => {
    const response = await call('GET', `/api/audio/${encodeURIComponent('morning talk (1).mp3')}/metadata`, {
      cookie: session,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      filename: 'morning talk (1).mp3',
      size: 2048,
      duration: 61,
      transcript_status: 'pending',
      has_transcript: false,
    });
  });

  it('stream a file from its signed list `url` without a session: a 302 to a presigned GET of the bucket', async () => {
    const listed = await call('GET', '/api/audio/list', { cookie: session });
    const [file] = listed.body.files as { url: string }[];
    expect(file?.url).toMatch(/^\/api\/audio\/morning%20talk%20%281%29\.mp3\?expires=\d+&signature=[\w-]{22}$/);
    const response = await call('GET', file!.url);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin).toBe('http://127.0.0.1:9');
    expect(location.pathname).toBe('/audio/morning%20talk%20%281%29.mp3');
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect((await call('GET', file!.url.replace(/signature=[\w-]+/, `signature=${'A'.repeat(22)}`))).status).toBe(403);
    expect((await call('GET', '/api/audio/morning%20talk%20%281%29.mp3')).status).toBe(401);
  });

  it('report the version and the deployment on health and status, and list users as a bare array', async () => {
    const health = await call('GET', '/api/health');
    expect(health.body).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), environment: 'dev' });
    const status = await call('GET', '/api/status');
    expect(status.body).toMatchObject({ status: 'running', environment: 'dev', version: health.body.version });
    const users = await call('GET', '/api/admin/users', { cookie: session });
    expect(Array.isArray(users.body)).toBe(true);
  });

  it('start a transcription from pending, then cancel it: ListExecutions, DescribeExecution and StopExecution on the wire', async () => {
    const name = 'morning talk (1).mp3';
    const started = await call('POST', `/api/audio/${encodeURIComponent(name)}/transcribe`, { cookie: session });
    expect(started.status).toBe(202);
    const [run] = [...sfn.executions.values()];
    expect(run).toMatchObject({ name: started.body.execution, status: 'RUNNING' });
    expect(JSON.parse(run!.input)).toMatchObject({ bucket: 'audio', key: name });
    // A run goes on: a second press is refused, after asking Step Functions.
    expect((await call('POST', `/api/audio/${encodeURIComponent(name)}/transcribe`, { cookie: session })).status).toBe(
      409,
    );

    const cancelled = await call('POST', `/api/audio/${encodeURIComponent(name)}/transcript/cancel`, {
      cookie: session,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ transcript_status: 'failed', stopped: [run!.name] });
    expect(run).toMatchObject({
      status: 'ABORTED',
      error: 'Cancelled',
      cause: expect.stringMatching(/^Transcription cancelled by admin/),
    });
    expect(sfn.calls.map((c) => c.operation)).toEqual([
      'ListExecutions',
      'StartExecution',
      'ListExecutions',
      'DescribeExecution',
      'ListExecutions',
      'DescribeExecution',
      'StopExecution',
    ]);
    expect((await store.getAudioFile(name))?.transcriptError).toMatch(/cancelled by admin/);
  });
});
