import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorMapping, jsonBody, requestLogging } from '../../lib/http/middleware.js';
import { routeTo } from '../../lib/http/router.js';
import { adminUserRoutes } from '../../lib/http/routes/admin-users.js';

/** HTTP API: the routes of lib/http/routes/admin-users.ts. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(requestLogging())
  .use(jsonBody())
  .use(errorMapping())
  .handler(routeTo(adminUserRoutes));
