import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorMapping, jsonBody, requestLogging } from '../../lib/http/middleware.js';
import { routeTo } from '../../lib/http/router.js';
import { audioRoutes } from '../../lib/http/routes/audio.js';

/** HTTP API: the routes of lib/http/routes/audio.ts. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(requestLogging())
  .use(jsonBody())
  .use(errorMapping())
  .handler(routeTo(audioRoutes));
