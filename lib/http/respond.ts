import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteResult } from './route.js';

/**
 * Responses in the API Gateway payload v2 shape. The security headers come from
 * @middy/http-security-headers around every response; what is set here is what it does not do:
 * the media type of the body and `Cache-Control: no-store` (API answers are per user).
 */

const JSON_TYPE = 'application/json; charset=utf-8';
const NO_STORE = { 'Cache-Control': 'no-store' };

/** A JSON response. */
function jsonResponse(
  status: number,
  body: unknown,
  extra: { cookies?: string[]; headers?: Record<string, string> } = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'Content-Type': JSON_TYPE, ...NO_STORE, ...extra.headers },
    ...(extra.cookies?.length ? { cookies: extra.cookies } : {}),
    body: JSON.stringify(body),
  };
}

/** The error body every failure uses: `{"detail": "..."}`. */
function errorResponse(
  status: number,
  detail: string,
  headers?: Record<string, string>,
): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(status, { detail }, headers ? { headers } : {});
}

/**
 * A route's result as a response: JSON by default, a body of its own media type (bytes go
 * base64-encoded, as API Gateway expects them), or none at all. A HEAD response keeps the
 * headers of its body and drops the body.
 */
export function routeResponse(result: RouteResult, status: number, method: string): APIGatewayProxyStructuredResultV2 {
  const cookies = result.cookies?.length ? { cookies: result.cookies } : {};
  let response: APIGatewayProxyStructuredResultV2;
  if (result.content === undefined) {
    response = jsonResponse(status, result.body ?? null, { headers: result.headers, ...cookies });
  } else if (result.content === null) {
    response = { statusCode: status, headers: { ...NO_STORE, ...result.headers }, ...cookies };
  } else {
    const { type, data } = result.content;
    const binary = typeof data !== 'string';
    response = {
      statusCode: status,
      headers: { 'Content-Type': type, ...NO_STORE, ...result.headers },
      ...cookies,
      body: binary ? Buffer.from(data).toString('base64') : data,
      ...(binary ? { isBase64Encoded: true } : {}),
    };
  }
  if (method === 'HEAD') {
    delete response.body;
    delete response.isBase64Encoded;
  }
  return response;
}

type ApiRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * @middy/http-error-handler answers with the bare message as text; this API's errors are
 * `{"detail": message}` JSON. Its `onError` must run after the handler's, so it is used before it.
 */
export function detailBodies(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request: ApiRequest) => {
      const response = request.response;
      if (!response || typeof response.body !== 'string') return;
      const headers = Object.fromEntries(
        Object.entries(response.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type'),
      );
      request.response = errorResponse(response.statusCode ?? 500, response.body, headers as Record<string, string>);
    },
  };
}
