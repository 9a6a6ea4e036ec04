import * as z from 'zod';
import type { Route } from './route.js';
import { routes } from './routes.js';
import { detailSchema } from './schemas.js';

/**
 * The OpenAPI 3.1 document, generated from the route table's zod schemas (JSON Schema 2020-12 is
 * OpenAPI 3.1's schema dialect, which is what `z.toJSONSchema` emits).
 */

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `detail` names the field.',
  401: 'No valid session.',
  403: 'Not allowed for this user.',
  404: 'Not found.',
  409: 'Conflicts with the current state.',
  413: 'Body too large.',
  415: 'Body is not JSON.',
  429: 'Too many failed logins; see Retry-After.',
  500: 'Unexpected error.',
};

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parameters(route: Route) {
  const list: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property;
      list.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return list;
}

function operation(route: Route) {
  const success = String(route.status ?? 200);
  const statuses = new Set<number>([...(route.errors ?? []), 500]);
  if (route.body) for (const status of [400, 413, 415]) statuses.add(status);
  if (route.params || route.query) statuses.add(400);
  if (route.auth === 'user' || route.auth === 'admin') statuses.add(401);
  if (route.auth === 'admin') statuses.add(403);
  const responses: Record<string, unknown> = {
    [success]: {
      description: 'Success',
      content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
    },
  };
  for (const status of [...statuses].sort()) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    tags: route.tags,
    ...(route.auth === 'user' || route.auth === 'admin' ? { security: [{ bearer: [] }, { cookie: [] }] } : {}),
    ...(route.auth === 'public' ? { security: [] } : {}),
    parameters: parameters(route),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

/** Builds the document for the given routes (all of them by default). */
export function openApiDocument(table: readonly Route[] = routes) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of table) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'audio-ingest API',
      version: '1.0.0',
      description: 'Log in, manage users, list and search audio files, read transcripts, get upload URLs.',
    },
    paths,
    components: {
      schemas: { Error: schemaOf(detailSchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'session' },
      },
    },
    security: [{ bearer: [] }, { cookie: [] }],
  };
}
