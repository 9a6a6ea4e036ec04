import * as z from 'zod';
import { defineRoute } from '../route.js';

/** Health and the OpenAPI document: served by functions/api/meta.ts. */

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/api/health',
  fn: 'meta',
  auth: 'public',
  summary: 'Liveness: answers without touching the store.',
  tags: ['meta'],
  response: z.object({ status: z.literal('ok') }),
  async handle() {
    return { body: { status: 'ok' } };
  },
});

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/api/openapi.json',
  fn: 'meta',
  auth: 'public',
  summary: 'This API described as OpenAPI 3.1.',
  tags: ['meta'],
  response: z.record(z.string(), z.unknown()),
  async handle() {
    // Imported on demand: the document pulls in every route's schemas, health does not need them.
    const { openApiDocument } = await import('../openapi.js');
    return { body: openApiDocument() };
  },
});

export const metaRoutes = [healthRoute, openApiRoute];
