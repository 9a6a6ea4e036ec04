import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorMapping, jsonBody, requestLogging } from '../../lib/http/middleware.js';
import { routeTo } from '../../lib/http/router.js';
import { metaRoutes } from '../../lib/http/routes/meta.js';

/** HTTP API: the routes of lib/http/routes/meta.ts. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(requestLogging())
  .use(jsonBody())
  .use(errorMapping())
  .handler(routeTo(metaRoutes));
