import middy, { type MiddlewareObj, type Request } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import { createError } from '@middy/util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError } from '../errors.js';
import { observability } from '../observability.js';
import type { Deps } from '../runtime.js';
import { detailBodies } from './respond.js';
import type { Route } from './route.js';
import { routeHandler } from './router.js';

/** The middleware stack shared by every API function (functions/api/*.ts), around its routes. */

type ApiRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;
type ApiMiddleware = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/**
 * The Lambda handler of an API function: its slice of the route table (with the key forms of its
 * per-file routes) behind the shared stack, with the dependencies `getDeps` returns. Middy runs
 * `before` in order and `onError` in reverse, so: the error mapping used last sees every error
 * first, then @middy/http-error-handler turns it into a response, then it gets its
 * `{"detail"}` body and the security headers.
 */
export function apiHandler(routes: readonly Route[], getDeps: () => Deps) {
  // Observability outermost, so it sees every request and the final response: the Powertools
  // logger context, X-Ray handler segment and EMF metrics of the composition root.
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(observability(getDeps))
    .use(httpHeaderNormalizer())
    .use(httpSecurityHeaders())
    .use(detailBodies())
    .use(httpErrorHandler({ logger: false, fallbackMessage: 'Internal server error' }))
    .use(unexpectedErrors(getDeps))
    .use(stagelessPath())
    .handler(routeHandler(routes, getDeps));
}

/**
 * Errors whose message the caller must not see (no HTTP status, or a 5xx) are logged with the
 * request id for us; a store outage stays a 503 with a message that says only that. Everything
 * else is left to @middy/http-error-handler, which answers 500 "Internal server error".
 */
function unexpectedErrors(getDeps: () => Deps): ApiMiddleware {
  return {
    onError: (request: ApiRequest) => {
      const error = request.error as (Error & { statusCode?: unknown; expose?: unknown }) | null | undefined;
      if (typeof error?.statusCode === 'number' && error.statusCode < 500 && error.expose !== false) return;
      safeLogger(getDeps)?.error('Unhandled error in API request', {
        error,
        requestId: request.context?.awsRequestId,
        path: request.event?.rawPath,
      });
      if (error instanceof AppError && error.status === 503) {
        request.error = createError(503, 'Service temporarily unavailable; try again shortly.', { expose: true });
      }
    },
  };
}

/**
 * API Gateway puts a named stage's prefix in the path (`/prod/api/...`); the routes are
 * stage-less. (No middy middleware strips it; the `$default` stage has none.)
 */
function stagelessPath(): ApiMiddleware {
  return {
    before: (request: ApiRequest) => {
      const { http, stage } = request.event.requestContext;
      if (stage && stage !== '$default' && http.path.startsWith(`/${stage}/`)) {
        http.path = http.path.slice(stage.length + 1);
      }
    },
  };
}

function safeLogger(getDeps: () => Deps) {
  try {
    return getDeps().logger;
  } catch {
    return undefined;
  }
}
