import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { tokenService } from '../auth/context.js';
import { loadSessionUser, readToken, verifyToken } from '../auth/session.js';
import { UnauthorizedError, ValidationError } from '../errors.js';
import { deps as currentDeps, type Deps } from '../runtime.js';
import type { UserRecord } from '../store/store.js';
import { errorResponse, jsonResponse } from './respond.js';
import type { Route } from './route.js';

/**
 * Dispatches an API Gateway v2 event to a route of the table by method and *raw* path, so an
 * encoded `/` (`%2F`) inside a filename stays inside its segment; each parameter is decoded
 * once, here. Then: token check (crypto only) → validation → user lookup → handler. Validation
 * comes before any store access, so a bad filename never reaches the store.
 */

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

/** Compiles a path template (`/api/audio/{filename}/transcript`) to a matcher. */
export function compilePath(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const name = segment.match(/^\{(\w+)\}$/)?.[1];
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), names };
}

/** Finds the route for a method and raw path; `allowed` lists methods when only the path matched. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  rawPath: string,
): { route?: Route; rawParams: Record<string, string>; allowed: string[] } {
  const allowed: string[] = [];
  for (const { route, pattern, names } of compiled(routes)) {
    const match = pattern.exec(rawPath);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const rawParams: Record<string, string> = {};
    names.forEach((name, index) => {
      rawParams[name] = match[index + 1]!;
    });
    return { route, rawParams, allowed: [] };
  }
  return { rawParams: {}, allowed };
}

/**
 * The route whose function receives a request: the method's own route, else (a known path with
 * another method) a route of that path, whose router then answers 405.
 */
export function servingRoute(routes: readonly Route[], method: string, rawPath: string): Route | undefined {
  const found = matchRoute(routes, method, rawPath);
  const other = found.allowed[0];
  return found.route ?? (other ? matchRoute(routes, other, rawPath).route : undefined);
}

const cache = new WeakMap<readonly Route[], CompiledRoute[]>();
function compiled(routes: readonly Route[]): CompiledRoute[] {
  let list = cache.get(routes);
  if (!list) {
    list = routes.map((route) => ({ route, ...compilePath(route.path) }));
    cache.set(routes, list);
  }
  return list;
}

/** The Lambda handler body for a set of routes (errors are left to the error middleware). */
export function routeTo(routes: readonly Route[]) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method.toUpperCase();
    const found = matchRoute(routes, method, stripStage(event));
    if (!found.route) {
      if (found.allowed.length > 0) {
        return errorResponse(405, `Method ${method} not allowed; use ${found.allowed.join(', ')}.`, {
          allow: found.allowed.join(', '),
        });
      }
      return errorResponse(404, 'Not Found');
    }
    return runRoute(found.route, found.rawParams, event, currentDeps());
  };
}

/** Runs one route: auth, validation, handler, JSON response. */
export async function runRoute(
  route: Route,
  rawParams: Record<string, string>,
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

  const params = validate('path', route.params, decodeParams(rawParams));
  const query = validate('query', route.query, event.queryStringParameters ?? {});
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
  return jsonResponse(result.status ?? route.status ?? 200, result.body ?? null, {
    ...(result.cookies ? { cookies: result.cookies } : {}),
    ...(result.headers ? { headers: result.headers } : {}),
  });
}

function decodeParams(raw: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      throw new ValidationError(
        `Invalid path parameter ${name}: malformed percent-encoding; encode it with encodeURIComponent.`,
      );
    }
  }
  return decoded;
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

/** The path without a named stage prefix (`/prod/api/...` → `/api/...`). */
function stripStage(event: APIGatewayProxyEventV2): string {
  const path = event.rawPath || event.requestContext.http.path;
  const stage = event.requestContext.stage;
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) return path.slice(stage.length + 1);
  return path;
}
