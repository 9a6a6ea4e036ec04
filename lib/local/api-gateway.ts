import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LAMBDA_PAYLOAD_BYTES } from '../http/body.js';
import type { Route } from '../http/route.js';
import { routeMatcher } from '../http/router.js';

/**
 * What an API Gateway HTTP API does with a request before a Lambda sees it, for local mode and
 * the API tests: decode the path, route on it, and build the payload format 2.0 event. Each rule
 * follows a recorded shape in test/fixtures/apigw/ (AWS documentation's payload example and live
 * captures); no library emulates API Gateway, so this stays hand-written.
 */

/** A request as the client sent it. */
export interface GatewayRequest {
  method: string;
  /** The request target as sent: the percent-encoded path and the raw query string. */
  target: string;
  /** Header name/value pairs as sent, repeats included. */
  headers: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
  sourceIp?: string;
  /** e.g. `HTTP/1.1`. */
  protocol?: string;
  /** The port the client connected to (`x-forwarded-port`). */
  port?: number;
  /** `https` in AWS; `http` locally. */
  scheme?: string;
}

/** Either the event for the function serving the route, or API Gateway's own answer. */
export type GatewayOutcome =
  | { kind: 'invoke'; route: Route; event: APIGatewayProxyEventV2 }
  | { kind: 'answer'; status: number; body: { message: string } };

/** API Gateway's answer when no route matches method and path. */
export const NOT_FOUND = { status: 404, body: { message: 'Not Found' } } as const;
/** Its answer to a path it cannot decode (the status is recorded; the body is its usual shape). */
export const BAD_REQUEST = { status: 400, body: { message: 'Bad Request' } } as const;
/** Lambda refuses an event over its invocation payload limit; API Gateway answers 413. */
export const PAYLOAD_TOO_LARGE = { status: 413, body: { message: 'Request Too Long' } } as const;

/**
 * The path as an HTTP API delivers it in `rawPath`: percent-decoded, cut at a decoded `?`, then
 * decoded once more (the live captures: `%253F` arrives as `?`, `%2525` as `%`, and a `%` that is
 * not an escape after the first decoding is refused). Undefined where API Gateway answers 400.
 */
export function decodeGatewayPath(rawPath: string): string | undefined {
  try {
    const once = decodeURIComponent(rawPath);
    const cut = once.includes('?') ? once.slice(0, once.indexOf('?')) : once;
    return decodeURIComponent(cut);
  } catch {
    return undefined;
  }
}

/** What API Gateway does with a request: its own answer, or the event for the route's function. */
export function gatewayRequest(routes: readonly Route[], request: GatewayRequest): GatewayOutcome {
  const [rawPath = '/', rawQueryString = ''] = splitTarget(request.target);
  const path = decodeGatewayPath(rawPath);
  if (path === undefined) return { kind: 'answer', ...BAD_REQUEST };
  const method = request.method.toUpperCase();
  const match = routeMatcher(routes)(method, path);
  if (!match) return { kind: 'answer', ...NOT_FOUND };
  const event = gatewayEvent(request, { path, rawQueryString, route: match.route, params: match.params });
  if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_PAYLOAD_BYTES) return { kind: 'answer', ...PAYLOAD_TOO_LARGE };
  return { kind: 'invoke', route: match.route, event };
}

/**
 * The payload 2.0 event for a request whose path API Gateway decoded to `path`, for a matched
 * route (`routeKey` and `pathParameters`) or a `$default` route (neither).
 */
export function gatewayEvent(
  request: GatewayRequest,
  at: { path: string; rawQueryString: string; route?: Route; params?: Record<string, string> },
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, value] of request.headers) {
    const name = rawName.toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    // Cookie headers become the `cookies` array, one entry per cookie; they are not a header.
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const sourceIp = request.sourceIp ?? '127.0.0.1';
  const body = request.body ?? Buffer.alloc(0);
  if (body.byteLength > 0) headers['content-length'] ??= String(body.byteLength);
  headers['x-amzn-trace-id'] = traceId();
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(request.port ?? 443);
  headers['x-forwarded-proto'] = request.scheme ?? 'https';

  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(at.rawQueryString)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const routeKey = at.route ? `${at.route.method} ${at.route.path}` : '$default';
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const now = new Date();
  const text = body.byteLength === 0 || isTextMedia(headers['content-type']);
  return {
    version: '2.0',
    routeKey,
    rawPath: at.path,
    rawQueryString: at.rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: at.path,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(11).toString('base64'),
      routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.byteLength > 0 ? { body: body.toString(text ? 'utf8' : 'base64') } : {}),
    ...(at.params && Object.keys(at.params).length ? { pathParameters: at.params } : {}),
    isBase64Encoded: !text,
  };
}

/** Connection-level headers a proxy does not forward (RFC 9110, section 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade']);

/** `/path?query` → [path, query]; the first `?` of the target separates them, as sent. */
export function splitTarget(target: string): [string, string] {
  const at = target.indexOf('?');
  return at < 0 ? [target, ''] : [target.slice(0, at), target.slice(at + 1)];
}

/**
 * Bodies an HTTP API passes as text: `text/*`, JSON, XML and JavaScript; every other type (a
 * form, multipart, none given) arrives base64-encoded with `isBase64Encoded: true`.
 */
export function isTextMedia(contentType: string | undefined): boolean {
  return /^\s*(text\/[^;\s]+|application\/(json|xml|javascript))\s*(;|$)/i.test(contentType ?? '');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.time` as API Gateway writes it: `10/Jul/2026:19:19:05 +0000`. */
export function clfTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** An X-Ray trace header as API Gateway adds one: `Root=1-<epoch seconds, hex>-<96 random bits>`. */
function traceId(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}
