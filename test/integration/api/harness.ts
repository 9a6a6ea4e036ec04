import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { hashPassword } from '../../../lib/auth/passwords.js';
import { createStoreThrottle, DEFAULT_POLICY, type ThrottlePolicy } from '../../../lib/auth/throttle.js';
import { createTokenService, type TokenService } from '../../../lib/auth/tokens.js';
import { loadConfig } from '../../../lib/config.js';
import { matchRoute, servingRoute } from '../../../lib/http/router.js';
import { routes } from '../../../lib/http/routes.js';
import { startDynalite } from '../../../lib/local/dynalite.js';
import { apiFunctionHandlers } from '../../../lib/local/server.js';
import { createTable } from '../../../lib/model/table.js';
import { createDeps, type Deps, setDeps } from '../../../lib/runtime.js';
import { createDynamoStore } from '../../../lib/store/dynamo.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import type { Store, UserRecord } from '../../../lib/store/store.js';

/**
 * Test harness for the API: a real SQLite store in a temp dir, deps installed with setDeps, and
 * API Gateway payload v2 events sent to the exported Lambda handlers (the one serving each route,
 * as the local server and the CDK stack route them).
 */

export const JWT_SECRET = `${'k'.repeat(16)}0123456789abcdef-test-key`;
export const SECRET_KEY = new TextEncoder().encode(JWT_SECRET);

export interface Harness {
  deps: Deps;
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
  options: { env?: Record<string, string>; throttle?: Partial<ThrottlePolicy>; backend?: 'sqlite' | 'dynamodb' } = {},
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
  if (options.backend === 'dynamodb') {
    const dynamo = await startDynalite();
    const client = dynamo.client();
    await createTable(client, 'api-test');
    store = createDynamoStore({ client, tableName: 'api-test', ownsClient: true });
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
  const previous = setDeps(deps);
  return {
    deps,
    tokens,
    dir,
    async user(username, options = {}) {
      const hashedPassword = options.hash ?? (await hashPassword(options.password ?? 'correct horse battery'));
      return store.createUser({ username, hashedPassword, isAdmin: options.isAdmin ?? false });
    },
    tokenFor: (user) => tokens.sign({ userId: user.userId, username: user.username }),
    async close() {
      setDeps(previous);
      await store.close();
      await closeBackend();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface EventOptions {
  /** JSON-encoded unless a string. */
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: string[];
  token?: string;
}

/** An HTTP API payload v2 event as API Gateway sends it (`path` may carry a query string). */
export function apiEvent(method: string, path: string, options: EventOptions = {}): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = path.split('?', 2);
  const headers: Record<string, string> = { host: 'api.example.com', 'user-agent': 'vitest', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const found = matchRoute(routes, method, rawPath);
  const routeKey = found.route ? `${found.route.method} ${found.route.path}` : '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(options.cookies ? { cookies: options.cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
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
  headers: Record<string, string>;
  cookies: string[];
}

/** Sends an event to the Lambda handler that serves its route (meta when no route matches). */
export async function invoke(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  const fn = servingRoute(routes, event.requestContext.http.method, event.rawPath)?.fn ?? 'meta';
  const handler = await apiFunctionHandlers[fn]();
  const result = (await handler(event, lambdaContext)) as APIGatewayProxyStructuredResultV2;
  const raw = result.body ?? '';
  return {
    status: result.statusCode ?? 200,
    body: raw ? JSON.parse(raw) : undefined,
    raw,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
    cookies: result.cookies ?? [],
  };
}

/** Shorthand: build and invoke. */
export function call(method: string, path: string, options: EventOptions = {}): Promise<ApiResponse> {
  return invoke(apiEvent(method, path, options));
}
