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
  body?: unknown;
  /** `Set-Cookie` values. */
  cookies?: string[];
  headers?: Record<string, string>;
}

export interface RouteDoc {
  summary: string;
  tags: string[];
  /** Success status (default 200). */
  status?: number;
  response: z.ZodType;
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
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Path template with `{name}` parameters, e.g. `/api/audio/{filename}`. */
  path: string;
  fn: ApiFunction;
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
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
