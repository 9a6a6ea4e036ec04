import middy, { type MiddlewareObj, type Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  AppError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnsupportedMediaError,
  ValidationError,
} from '../errors.js';
import { deps } from '../runtime.js';
import { errorResponse } from './respond.js';
import type { Route } from './route.js';
import { routeTo } from './router.js';

/** The middleware stack shared by every API function (functions/api/*.ts), around its routes. */

type ApiRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;
type ApiMiddleware = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/**
 * The Lambda handler of an API function: its slice of the route table behind the shared stack
 * (Middy runs `onError` in reverse order, so the error mapping used last sees every error first).
 */
export function apiHandler(routes: readonly Route[]) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(requestLogging())
    .use(jsonBody())
    .use(errorMapping())
    .handler(routeTo(routes));
}

/** Request bodies are small JSON documents; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Tags the logger with the Lambda request id so an error log can be found from a request. */
function requestLogging(): ApiMiddleware {
  return {
    before: (request: ApiRequest) => {
      deps().logger.addContext(request.context);
    },
  };
}

/**
 * Parses a JSON body with @middy/http-json-body-parser after checking its size (413) and content
 * type (415). Malformed JSON is a 400 (the parser says 415, but the media type was right; the
 * content was wrong). No body leaves `event.body` undefined for the route's schema to judge.
 */
function jsonBody(maxBytes = MAX_BODY_BYTES): ApiMiddleware {
  const parser = httpJsonBodyParser();
  return {
    before: async (request: ApiRequest) => {
      const { body, isBase64Encoded } = request.event;
      if (body === undefined || body === null || body === '') {
        request.event.body = undefined;
        return;
      }
      const bytes = isBase64Encoded ? Buffer.from(body, 'base64').byteLength : Buffer.byteLength(body, 'utf8');
      if (bytes > maxBytes) {
        throw new PayloadTooLargeError(`Request body is ${bytes} bytes; the limit is ${maxBytes} bytes.`);
      }
      const headers = request.event.headers ?? {};
      const contentType = headers['content-type'] ?? headers['Content-Type'];
      if (!contentType || !/^application\/(.+\+)?json\s*($|;)/i.test(contentType)) {
        throw new UnsupportedMediaError(
          `Unsupported content type ${JSON.stringify(contentType ?? '')}: send the body as JSON with Content-Type: application/json.`,
        );
      }
      // The parser only accepts a lower-case media type; normalize so `Application/JSON` works too.
      request.event.headers = { ...headers, 'content-type': contentType.toLowerCase() };
      try {
        await parser.before?.(request as never);
      } catch {
        throw new ValidationError('Invalid JSON in the request body: send a well-formed JSON object.');
      }
    },
  };
}

/**
 * Turns every error into `{"detail": …}`: domain errors keep their status and message; Middy
 * HTTP errors keep theirs; anything else is a 500 that says nothing about its cause to the caller
 * and is logged (with the request id) for us.
 */
function errorMapping(): ApiMiddleware {
  return {
    onError: (request: ApiRequest) => {
      const error = request.error;
      if (error instanceof AppError && error.status < 500) {
        const headers =
          error instanceof TooManyRequestsError ? { 'retry-after': String(error.retryAfterSeconds) } : undefined;
        request.response = errorResponse(error.status, error.message, headers);
        return;
      }
      const status = (error as { statusCode?: unknown } | null)?.statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
        request.response = errorResponse(status, error?.message ?? 'Bad request');
        return;
      }
      const logger = safeLogger();
      logger?.error('Unhandled error in API request', {
        error,
        requestId: request.context?.awsRequestId,
        path: request.event?.rawPath,
      });
      if (error instanceof AppError && error.status === 503) {
        request.response = errorResponse(503, 'Service temporarily unavailable; try again shortly.');
        return;
      }
      request.response = errorResponse(500, 'Internal server error');
    },
  };
}

function safeLogger() {
  try {
    return deps().logger;
  } catch {
    return undefined;
  }
}
