import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorMapping, jsonBody, requestLogging } from '../../lib/http/middleware.js';
import { routeTo } from '../../lib/http/router.js';
import { userRoutes } from '../../lib/http/routes/user.js';

/** HTTP API: the routes of lib/http/routes/user.ts. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(requestLogging())
  .use(jsonBody())
  .use(errorMapping())
  .handler(routeTo(userRoutes));
