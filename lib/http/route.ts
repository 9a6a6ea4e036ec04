import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Deps } from '../runtime.js';
import type { UserRecord } from '../store/store.js';

/**
 * A route of the HTTP API: one entry of the route table that the Lambda handlers dispatch on,
 * the local server maps to functions, and the OpenAPI document describes. The zod schemas are
 * the single source of validation and documentation.
 */

/** `optional` routes read a session when present and never fail for lack of one. */
export type AuthLevel = 'public' | 'optional' | 'user' | 'admin';

/** The Lambda function (functions/api/<name>.ts) that serves a route. */
export type ApiFunction = 'user' | 'admin-users' | 'audio' | 'meta';

export interface RouteRequest<P, Q, B, U> {
  params: P;
  query: Q;
  body: B;
  user: U;
  deps: Deps;
  event: APIGatewayProxyEventV2;
}

export interface RouteResult {
  status?: number;
  /** Sent as JSON (unless `content` is given). */
  body?: unknown;
  /**
   * A body that is not JSON: text or bytes with their own media type; `null` for no body at all
   * (a 302 with its `Location`, a 204).
   */
  content?: { type: string; data: string | Uint8Array } | null;
  /** `Set-Cookie` values. */
  cookies?: string[];
  headers?: Record<string, string>;
}

/** The methods a route can have; API Gateway routes HEAD on its own, never as part of GET. */
export type RouteMethod = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/**
 * How the body is read: a JSON document (small, see MAX_JSON_BODY_BYTES) or multipart/form-data
 * (file parts as Buffers, fields as strings, up to what a Lambda behind API Gateway can take).
 */
export type BodyType = 'json' | 'multipart';

export interface RouteDoc {
  summary: string;
  tags: string[];
  /** Success status (default 200). */
  status?: number;
  response: z.ZodType;
  /** The success body's media type when it is not JSON; `null` when there is none (a redirect). */
  content?: string | null;
  /** Error statuses the route can answer with, besides 401/403 implied by its auth level. */
  errors?: number[];
}

export type UserOf<A extends AuthLevel> = A extends 'public'
  ? undefined
  : A extends 'optional'
    ? UserRecord | undefined
    : UserRecord;

export interface RouteSpec<A extends AuthLevel, P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>
  extends RouteDoc {
  method: RouteMethod;
  /** Path template with `{name}` parameters, e.g. `/api/audio/{filename}`. */
  path: string;
  /**
   * Set on the key form of a per-file route (lib/http/key-forms.ts): this path parameter comes
   * from the query string instead of the path.
   */
  keyParam?: string;
  fn: ApiFunction;
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** How `body` is read (default `json`). */
  bodyType?: BodyType;
  handle(request: RouteRequest<z.output<P>, z.output<Q>, z.output<B>, UserOf<A>>): Promise<RouteResult>;
}

/** A route with its types erased, as stored in the table. */
export type Route = RouteSpec<AuthLevel, z.ZodType, z.ZodType, z.ZodType>;

/** Declares a route with typed params/query/body/user in its handler. */
export function defineRoute<
  A extends AuthLevel,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<A, P, Q, B>): Route {
  return spec as unknown as Route;
}
