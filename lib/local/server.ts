import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { ApiFunction, Route } from '../http/route.js';
import { gatewayRequest, splitTarget } from './api-gateway.js';
import { lambdaContext } from './lambda.js';

/**
 * The local HTTP front door: what API Gateway does in AWS (lib/local/api-gateway.ts). Each request
 * is routed on its decoded path and becomes the HTTP API payload v2 event API Gateway would send,
 * to the same exported handler that the Lambda runs; API Gateway's own answers (404 for no route,
 * 400 for an undecodable path, 413 for a body over its 10 MB or an event over Lambda's 6 MB) are
 * given here. The structured result is written back (status, headers, one Set-Cookie per cookie,
 * base64 bodies decoded).
 */

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface ApiServerOptions {
  routes: readonly Route[];
  /** The handler of each API function; loaded on first use when given as a thunk. */
  handlers: Record<ApiFunction, () => Promise<ApiHandler>>;
  port?: number;
  host?: string;
  /** API Gateway refuses payloads over 10 MB; Lambda refuses events over 6 MB; the functions have their own limits. */
  maxPayloadBytes?: number;
  /**
   * Local-only GET endpoints under `/local/` (no AWS counterpart), e.g. the execution history.
   * Answers undefined for a path it does not serve.
   */
  local?: (rawPath: string, query: URLSearchParams) => Promise<{ status: number; body: unknown } | undefined>;
  /**
   * Serves what is neither under `/api/` nor `/local/` (the web console's files, see
   * lib/local/console.ts); resolves false to leave the request to the API's own 404.
   */
  site?: (request: IncomingMessage, response: ServerResponse, rawPath: string) => Promise<boolean>;
}

export interface ApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The handlers of functions/api/*.ts, imported lazily like a Lambda cold start. */
export const apiFunctionHandlers: Record<ApiFunction, () => Promise<ApiHandler>> = {
  user: async () => (await import('../../functions/api/user.js')).handler as ApiHandler,
  'admin-users': async () => (await import('../../functions/api/admin-users.js')).handler as ApiHandler,
  audio: async () => (await import('../../functions/api/audio.js')).handler as ApiHandler,
  meta: async () => (await import('../../functions/api/meta.js')).handler as ApiHandler,
};

/** Starts the server on 127.0.0.1 (port 0 picks a free port). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const maxPayload = options.maxPayloadBytes ?? 10 * 1024 * 1024;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) writeJson(response, 500, { detail: 'Internal server error' });
      else response.destroy(error as Error);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // The target as sent: WHATWG URL parsing would resolve `..` and `%2e%2e`, API Gateway does not.
    const target = request.url ?? '/';
    const [rawPath, rawQuery] = splitTarget(target);
    const method = (request.method ?? 'GET').toUpperCase();
    if (options.local && method === 'GET' && rawPath.startsWith('/local/')) {
      const local = await options.local(rawPath, new URLSearchParams(rawQuery));
      if (local) return writeJson(response, local.status, local.body);
    }
    if (options.site && !/^\/(api|local)(\/|$)/.test(rawPath) && (await options.site(request, response, rawPath)))
      return;
    const body = await readBody(request, maxPayload);
    if (body === 'too-large') return writeJson(response, 413, { message: 'Request Entity Too Large' });
    const outcome = gatewayRequest(options.routes, {
      method,
      target,
      headers: headerPairs(request.rawHeaders),
      body,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${request.httpVersion}`,
      port: request.socket.localPort ?? 0,
      scheme: 'http',
    });
    if (outcome.kind === 'answer') return writeJson(response, outcome.status, outcome.body);
    const { route, event } = outcome;
    const handler = await options.handlers[route.fn]();
    const result = await handler(
      event,
      lambdaContext({ functionName: `api-${route.fn}`, timeoutMs: 30_000, requestId: event.requestContext.requestId }),
    );
    writeResult(response, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`API port ${options.port} is already in use: stop the other process or set PORT to a free port.`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Node's `rawHeaders` ([name, value, name, value, …]) as pairs, repeats kept as sent. */
function headerPairs(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'string' || result === null || typeof result !== 'object' || !('statusCode' in result)) {
    // A bare value: API Gateway's "simple response" rule (200, JSON).
    writeJson(response, 200, result);
    return;
  }
  const structured = result as APIGatewayProxyStructuredResultV2;
  for (const [name, value] of Object.entries(structured.headers ?? {})) response.setHeader(name, String(value));
  if (structured.cookies?.length) response.setHeader('set-cookie', structured.cookies);
  response.statusCode = structured.statusCode ?? 200;
  const body = structured.body ?? '';
  response.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}
