import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import { createError } from '@middy/util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { tokenService } from '../auth/context.js';
import { loadSessionUser, readToken, verifyToken } from '../auth/session.js';
import { UnauthorizedError, ValidationError } from '../errors.js';
import type { Deps } from '../runtime.js';
import type { UserRecord } from '../store/store.js';
import { bodyParser } from './body.js';
import { withKeyForms } from './key-forms.js';
import { routeResponse } from './respond.js';
import type { Route } from './route.js';

/**
 * Dispatch with @middy/http-router, which matches `requestContext.http.path` (the path API
 * Gateway already decoded and routed on) and keeps the `pathParameters` API Gateway sends: no
 * parameter is decoded here, so none is decoded twice. Each route is its own Middy handler with
 * the body parser of its body type. Then: token check (crypto only) → validation → user lookup →
 * handler. Validation comes before any store access, so a bad filename never reaches the store.
 */

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A match of the route table: the route and the path parameters of the path. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * A matcher over a route table, by method and (decoded) path, with @middy/http-router's rules:
 * static paths before templates, a `{param}` never spans a `/`.
 */
export function routeMatcher(routes: readonly Route[]): Matcher {
  const cached = matchers.get(routes);
  if (cached) return cached;
  const router = httpRouterHandler({
    routes: routes.map((route) => ({
      method: route.method,
      path: route.path,
      handler: ((event: APIGatewayProxyEventV2) => ({ route, params: { ...event.pathParameters } })) as never,
    })),
    notFoundResponse: () => undefined,
  }) as unknown as (event: unknown) => RouteMatch | undefined;
  const match: Matcher = (method, path) =>
    router({ version: '2.0', requestContext: { http: { method: method.toUpperCase(), path } }, pathParameters: {} });
  matchers.set(routes, match);
  return match;
}

type Matcher = (method: string, path: string) => RouteMatch | undefined;
const matchers = new WeakMap<readonly Route[], Matcher>();

/** The methods the table has for a path (for a 405's `Allow`). */
export function allowedMethods(routes: readonly Route[], path: string): string[] {
  const match = routeMatcher(routes);
  return [...new Set(routes.map((route) => route.method))].filter((method) => match(method, path));
}

/**
 * The Lambda handler body for a set of routes (and their key forms); errors are left to the error
 * middleware. `getDeps` is asked once per request.
 */
export function routeHandler(routes: readonly Route[], getDeps: () => Deps): Handler {
  const table = withKeyForms(routes);
  return httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    routes: table.map((route) => ({ method: route.method, path: route.path, handler: routeFunction(route, getDeps) })),
    notFoundResponse: ({ method, path }) => {
      const allowed = allowedMethods(table, path);
      if (allowed.length === 0) throw createError(404, 'Not Found');
      throw Object.assign(createError(405, `Method ${method} not allowed; use ${allowed.join(', ')}.`), {
        headers: { Allow: allowed.join(', ') },
      });
    },
  }) as unknown as Handler;
}

function routeFunction(route: Route, getDeps: () => Deps) {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>();
  if (route.body) handler.use(bodyParser(route.bodyType ?? 'json'));
  return handler.handler((event) => runRoute(route, event, getDeps()));
}

/** Runs one route: auth, validation, handler, response. */
export async function runRoute(
  route: Route,
  event: APIGatewayProxyEventV2,
  deps: Deps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const token = readToken(event);
  let claims: Awaited<ReturnType<typeof verifyToken>> | undefined;
  if (route.auth === 'user' || route.auth === 'admin') {
    claims = await verifyToken(token, await tokenService(deps));
  } else if (route.auth === 'optional' && token) {
    claims = await verifyToken(token, await tokenService(deps)).catch(() => undefined);
  }

  const queryParameters = { ...event.queryStringParameters };
  let params: unknown;
  if (route.keyParam) {
    params = validate('query', route.params, { [route.keyParam]: keyFromQuery(event.rawQueryString, route.keyParam) });
    delete queryParameters[route.keyParam];
  } else {
    params = validate('path', route.params, event.pathParameters ?? {});
  }
  const query = validate('query', route.query, queryParameters);
  const body = validate('body', route.body, event.body);

  let user: UserRecord | undefined;
  if (claims && (route.auth === 'user' || route.auth === 'admin')) {
    user = await loadSessionUser(claims, deps.store, route.auth);
  } else if (claims) {
    user = await loadSessionUser(claims, deps.store, 'user').catch((error: unknown) => {
      if (error instanceof UnauthorizedError) return undefined;
      throw error;
    });
  }

  const result = await route.handle({ params, query, body, user, deps, event });
  return routeResponse(result, result.status ?? route.status ?? 200, event.requestContext.http.method.toUpperCase());
}

/**
 * The key of a key-form request, from the raw query string, decoded exactly once here: one
 * `filename=` only (`queryStringParameters` would join repeats with commas, and a comma can be in
 * a key), and strict percent-decoding (URLSearchParams would turn a malformed escape into U+FFFD,
 * naming another file).
 */
function keyFromQuery(rawQueryString: string | undefined, name: string): string {
  const values = (rawQueryString ?? '')
    .split('&')
    .filter((pair) => pair.split('=', 1)[0] === name)
    .map((pair) => pair.slice(name.length + 1));
  if (values.length > 1) {
    throw new ValidationError(`Invalid request: query.${name}: give it once (it was given ${values.length} times).`);
  }
  if (!values[0]) {
    throw new ValidationError(
      `Invalid request: query.${name}: give the file's key, URL-encoded, as ?${name}=… (e.g. encodeURIComponent(key)).`,
    );
  }
  try {
    return decodeURIComponent(values[0].replace(/\+/g, ' '));
  } catch {
    throw new ValidationError(
      `Invalid request: query.${name}: malformed percent-encoding; encode the key with encodeURIComponent.`,
    );
  }
}

/** Parses a part of the request with its schema; the 400 names the part and field. */
export function validate(part: 'path' | 'query' | 'body', schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const where = [part, ...issue.path.map(String)].join('.');
    const message =
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')} are not allowed` : issue.message;
    return `${where}: ${message}`;
  });
  throw new ValidationError(`Invalid request: ${details.join('; ')}`);
}
