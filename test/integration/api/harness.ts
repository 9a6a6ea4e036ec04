import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll } from 'vitest';
import { hashPassword } from '../../../lib/auth/passwords.js';
import { createStoreThrottle, DEFAULT_POLICY, type ThrottlePolicy } from '../../../lib/auth/throttle.js';
import { createTokenService, type TokenService } from '../../../lib/auth/tokens.js';
import { loadConfig } from '../../../lib/config.js';
import type { ApiFunction, Route } from '../../../lib/http/route.js';
import { routeMatcher } from '../../../lib/http/router.js';
import { routes } from '../../../lib/http/routes.js';
import { decodeGatewayPath, gatewayEvent, gatewayRequest, splitTarget } from '../../../lib/local/api-gateway.js';
import { startDynalite } from '../../../lib/local/dynalite.js';
import { type LocalS3, startLocalS3 } from '../../../lib/local/s3.js';
import { type ApiHandler, apiFunctionHandlers } from '../../../lib/local/server.js';
import { createTable } from '../../../lib/model/table.js';
import { createDeps, type Deps, setDeps } from '../../../lib/runtime.js';
import { createDynamoStore } from '../../../lib/store/dynamo.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import type { Store, UserRecord } from '../../../lib/store/store.js';

/**
 * Test harness for the API: a real SQLite store in a temp dir, deps installed with setDeps, and
 * requests turned into payload v2 events exactly as an API Gateway HTTP API builds them
 * (lib/local/api-gateway.ts: decoded path, routeKey, pathParameters, cookies, base64 bodies), sent
 * to the exported Lambda handler serving each route, as the local server and the CDK stack route them.
 */

export const JWT_SECRET = `${'k'.repeat(16)}0123456789abcdef-test-key`;
export const SECRET_KEY = new TextEncoder().encode(JWT_SECRET);

export interface Harness {
  deps: Deps;
  /** With `backend: 'dynamodb'`: the dynalite client and table, for items written as the Python service did. */
  dynamo?: { client: DynamoDBClient; table: string };
  tokens: TokenService;
  dir: string;
  /** Creates a user with an argon2id hash (or the given hash). */
  user(username: string, options?: { password?: string; isAdmin?: boolean; hash?: string }): Promise<UserRecord>;
  /** A valid token for a user. */
  tokenFor(user: UserRecord): Promise<string>;
  close(): Promise<void>;
}

/**
 * The login throttle's clock in API tests: it stands still, so a test's failures never straddle a
 * minute boundary (the windows themselves are tested in the store contract and the unit tests).
 */
export const THROTTLE_NOW = new Date(Date.UTC(2026, 0, 1, 12, 0, 30));
export const throttleClock = () => THROTTLE_NOW;

export async function createHarness(
  options: {
    env?: Record<string, string>;
    throttle?: Partial<ThrottlePolicy>;
    backend?: 'sqlite' | 'dynamodb';
    /** An S3 endpoint (localBucket) the deps' S3 client talks to. */
    s3?: LocalS3;
  } = {},
): Promise<Harness> {
  const env = options.env ?? {};
  const dir = await mkdtemp(join(tmpdir(), 'api-test-'));
  const config = loadConfig({
    DATA_DIR: dir,
    JWT_SECRET,
    APP_ENV: 'local',
    LOG_LEVEL: 'SILENT',
    AUDIO_BUCKET: 'audio',
    S3_ENDPOINT: 'http://127.0.0.1:1',
    ...env,
  });
  let closeBackend = async () => {};
  let store: Store;
  let raw: Harness['dynamo'];
  if (options.backend === 'dynamodb') {
    const dynamo = await startDynalite();
    const client = dynamo.client();
    await createTable(client, 'api-test');
    store = createDynamoStore({ client, tableName: 'api-test', ownsClient: true });
    raw = { client, table: 'api-test' };
    closeBackend = () => dynamo.close();
  } else {
    store = openSqliteStore(join(dir, 'test.db'));
  }
  const tokens = createTokenService(SECRET_KEY);
  const deps = createDeps(config, {
    store,
    tokens,
    loginThrottle: createStoreThrottle(store, { ...DEFAULT_POLICY, ...options.throttle }, throttleClock),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  });
  if (options.s3) deps.s3 = options.s3.client();
  const previous = setDeps(deps);
  return {
    deps,
    ...(raw ? { dynamo: raw } : {}),
    tokens,
    dir,
    async user(username, options = {}) {
      const hashedPassword = options.hash ?? (await hashPassword(options.password ?? 'correct horse battery'));
      return store.createUser({ username, hashedPassword, isAdmin: options.isAdmin ?? false });
    },
    tokenFor: (user) =>
      tokens.sign({ userId: user.userId, username: user.username, sessionVersion: user.sessionVersion }),
    async close() {
      setDeps(previous);
      await store.close();
      await closeBackend();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface EventOptions {
  /** JSON-encoded unless a string or a Buffer. */
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: string[];
  token?: string;
}

/** The request a client sends: `target` is the path (percent-encoded, as sent) and query. */
function clientRequest(method: string, target: string, options: EventOptions) {
  const headers: Record<string, string> = { host: 'api.example.com', 'user-agent': 'vitest', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookies?.length) headers.cookie = options.cookies.join('; ');
  let body: Buffer | undefined;
  if (options.body !== undefined) {
    body = Buffer.isBuffer(options.body)
      ? options.body
      : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    headers['content-type'] ??= 'application/json';
  }
  return { method, target, headers: Object.entries(headers), body, sourceIp: '203.0.113.1' };
}

/**
 * The payload v2 event API Gateway sends for a request to `target` (the path as a client sends it,
 * percent-encoded, with an optional query): for the route that matches its decoded path, else as
 * a `$default` route would get it. Throws for a path API Gateway refuses to decode.
 */
export function apiEvent(method: string, target: string, options: EventOptions = {}): APIGatewayProxyEventV2 {
  const request = clientRequest(method, target, options);
  const [rawPath, rawQueryString] = splitTarget(target);
  const path = decodeGatewayPath(rawPath);
  if (path === undefined) throw new Error(`API Gateway refuses the path ${rawPath} (400) before any function runs.`);
  const match = routeMatcher(routes)(method, path);
  return gatewayEvent(request, { path, rawQueryString, ...match });
}

export const lambdaContext = {
  awsRequestId: 'test-request',
  functionName: 'api-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:api-test',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/api-test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected field by field
  body: any;
  raw: string;
  /** The body's bytes (decoded when the result was base64). */
  bytes?: Buffer;
  headers: Record<string, string>;
  cookies: string[];
  /** Set when API Gateway answered and no function ran. */
  gateway?: boolean;
}

/**
 * Sends an event to a Lambda handler: `fn`, else the one serving its routeKey (meta for a
 * `$default` event).
 */
export async function invoke(event: APIGatewayProxyEventV2, fn?: ApiFunction): Promise<ApiResponse> {
  const target = fn ?? routes.find((route) => `${route.method} ${route.path}` === event.routeKey)?.fn ?? 'meta';
  const handler = await apiFunctionHandlers[target]();
  return toApiResponse((await handler(event, lambdaContext)) as APIGatewayProxyStructuredResultV2);
}

/** A handler's result as a client reads it: header names lower-cased, the body parsed as JSON if it is. */
export function toApiResponse(result: APIGatewayProxyStructuredResultV2): ApiResponse {
  const bytes = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  const raw = result.isBase64Encoded ? bytes.toString('latin1') : (result.body ?? '');
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return {
    status: result.statusCode ?? 200,
    body: raw && /json/.test(headers['content-type'] ?? '') ? JSON.parse(raw) : undefined,
    raw,
    bytes,
    headers,
    cookies: result.cookies ?? [],
  };
}

/**
 * A request through API Gateway: its own answer (404 for no route, 400 for an undecodable path),
 * or the event it builds, invoked on the function that serves the route.
 */
export function call(method: string, target: string, options: EventOptions = {}): Promise<ApiResponse> {
  return callThrough(routes, (route) => apiFunctionHandlers[route.fn](), method, target, options);
}

/** `call` for any route table and handler (framework tests with routes of their own). */
export async function callThrough(
  table: readonly Route[],
  handlerOf: (route: Route) => Promise<ApiHandler> | ApiHandler,
  method: string,
  target: string,
  options: EventOptions = {},
): Promise<ApiResponse> {
  const outcome = gatewayRequest(table, clientRequest(method, target, options));
  if (outcome.kind === 'answer') {
    const raw = JSON.stringify(outcome.body);
    return { status: outcome.status, body: outcome.body, raw, headers: {}, cookies: [], gateway: true };
  }
  const handler = await handlerOf(outcome.route);
  return toApiResponse((await handler(outcome.event, lambdaContext)) as APIGatewayProxyStructuredResultV2);
}

/**
 * s3rver with the `audio` bucket, in a temp dir, for the tests of one describe block (started
 * before them, stopped after); give it to createHarness as `s3`.
 */
export function localBucket(): { s3(): LocalS3 } {
  let s3: LocalS3 | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'api-s3-'));
    s3 = await startLocalS3({ port: 0, dataDir: dir, bucket: 'audio' });
  });
  afterAll(async () => {
    await s3?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    s3: () => {
      if (!s3) throw new Error('localBucket() is used before its describe block started it.');
      return s3;
    },
  };
}
