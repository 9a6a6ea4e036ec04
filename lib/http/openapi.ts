import * as z from 'zod';
import { filePart } from './body.js';
import type { Route } from './route.js';
import { routes } from './routes.js';
import { detailSchema } from './schemas.js';

/**
 * The OpenAPI 3.1 document, generated from the route table's zod schemas (JSON Schema 2020-12 is
 * OpenAPI 3.1's schema dialect, which is what `z.toJSONSchema` emits).
 */

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `detail` names the field.',
  401: 'No valid session (the audio stream: nor a signature).',
  403: 'Not allowed for this user; for the audio stream, a signature that is not valid or has expired.',
  404: 'Not found.',
  409: 'Conflicts with the current state.',
  413: 'Body too large (a JSON body over 16 KiB; an upload over what a Lambda can be sent: use POST /api/audio/upload-url).',
  415: 'Body is not of the route’s media type (JSON, or multipart/form-data for uploads), or an upload of a format that cannot be transcribed.',
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
      // A key form's key is a required query parameter (lib/http/key-forms.ts).
      const keyInQuery = where === 'path' && route.keyParam === name;
      list.push({
        name,
        in: keyInQuery ? 'query' : where,
        required: where === 'path' || (json.required ?? []).includes(name),
        description: keyInQuery
          ? `The S3 object key, URL-encoded once (any name, with "/", "%", "?" or "#").`
          : description,
        schema: rest,
      });
      if (!list.at(-1)?.description) delete list.at(-1)?.description;
    }
  }
  return list;
}

/** The request body: JSON, or multipart/form-data with file parts as binary strings. */
function requestBody(route: Route) {
  if (!route.body) return {};
  if (route.bodyType === 'multipart') {
    const schema = z.toJSONSchema(route.body, {
      io: 'input',
      unrepresentable: 'any',
      target: 'draft-2020-12',
      override: ({ zodSchema, jsonSchema }) => {
        if (zodSchema !== filePart) return;
        for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
        Object.assign(jsonSchema, { type: 'string', format: 'binary', description: 'A file.' });
      },
    }) as JsonSchema;
    delete schema.$schema;
    return { requestBody: { required: true, content: { 'multipart/form-data': { schema } } } };
  }
  return {
    requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } },
  };
}

/** The success response: JSON by default, a body of the route's own type, or none (HEAD, a redirect). */
function successResponse(route: Route) {
  if (route.status === 302) {
    return {
      description: 'Redirect (no body)',
      headers: { Location: { description: 'Where the resource is', schema: { type: 'string', format: 'uri' } } },
    };
  }
  if (route.method === 'HEAD' || route.content === null) return { description: 'Success (no body)' };
  if (route.content) {
    return { description: 'Success', content: { [route.content]: { schema: { type: 'string', format: 'binary' } } } };
  }
  return { description: 'Success', content: { 'application/json': { schema: schemaOf(route.response, 'output') } } };
}

function operation(route: Route) {
  const success = String(route.status ?? 200);
  const statuses = new Set<number>([...(route.errors ?? []), 500]);
  if (route.body) for (const status of [400, 413, 415]) statuses.add(status);
  if (route.params || route.query) statuses.add(400);
  if (route.auth === 'user' || route.auth === 'admin') statuses.add(401);
  if (route.auth === 'admin') statuses.add(403);
  const responses: Record<string, unknown> = { [success]: successResponse(route) };
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
    ...requestBody(route),
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
      description:
        'Log in, manage users, list and search audio files, stream them, read and control their transcripts, upload. ' +
        'Every route with a {filename} segment also answers at its path without that segment, with the key as ?filename= (any key). ' +
        'GET /api/audio/{filename} is the audio: a 302 to S3 for a session or a signed `url` from a list, search or upload result; ' +
        'with PUBLIC_AUDIO=true every file streams to anyone who knows its name, as in the Python service.',
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
