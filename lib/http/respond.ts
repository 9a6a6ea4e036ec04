import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response in the API Gateway payload v2 shape. */
export function jsonResponse(
  status: number,
  body: unknown,
  extra: { cookies?: string[]; headers?: Record<string, string> } = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...BASE_HEADERS, ...extra.headers },
    ...(extra.cookies?.length ? { cookies: extra.cookies } : {}),
    body: JSON.stringify(body),
  };
}

/** The error body every failure uses: `{"detail": "..."}`. */
export function errorResponse(
  status: number,
  detail: string,
  headers?: Record<string, string>,
): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(status, { detail }, headers ? { headers } : {});
}
