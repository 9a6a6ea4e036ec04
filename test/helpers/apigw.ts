import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'vitest';

/** The recorded API Gateway shapes (test/fixtures/apigw/README.md names their sources) and checks against them. */
const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/apigw/${name}`, 'utf8'));
export const docs = fixture('aws-docs-payload-v2.json') as APIGatewayProxyEventV2;
export const capture = fixture('http-api-capture-request.json') as APIGatewayProxyEventV2;
export const ingress = fixture('http-api-ingress-paths.json') as Array<{
  sentPath: string;
  httpAPIPath?: string;
  httpAPIRejected?: boolean;
}>;

/** The request the capture recorded, as its client sent it. */
export const captureRequest = {
  method: 'POST',
  target: `/capture/space%20value?${capture.rawQueryString}`,
  headers: [
    ['Accept', '*/*'],
    ['Content-Length', '66'],
    ['Content-Type', 'application/json'],
    ['Host', 'sjzepsqsu5.execute-api.us-west-2.amazonaws.com'],
    ['User-Agent', 'curl/8.7.1'],
    ['Cookie', 'session=abc123; theme=dark'],
    ['X-Voker-Probe', 'first'],
    ['X-Voker-Probe', 'second'],
  ] as Array<[string, string]>,
  body: Buffer.from(capture.body ?? ''),
  sourceIp: '68.8.83.18',
};

/**
 * The formats of the values API Gateway generates per request, as the capture shows them (the
 * capture itself is checked against these in test/unit/local/api-gateway.test.ts).
 */
export const GENERATED_FORMATS = {
  traceId: /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/,
  requestId: /^[A-Za-z0-9+/]{15}=$/,
  time: /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
};

/** Field by field: what the capture shows API Gateway sends, the emulation must send too. */
export function expectCaptureShape(event: APIGatewayProxyEventV2, expected: { routeKey: string; rawPath: string }) {
  expect(event.version).toBe('2.0');
  expect(event.routeKey).toBe(expected.routeKey);
  expect(event.requestContext.routeKey).toBe(expected.routeKey);
  expect(event.rawPath).toBe(expected.rawPath);
  expect(event.requestContext.http.path).toBe(expected.rawPath);
  expect(event.rawQueryString).toBe(capture.rawQueryString);
  expect(event.queryStringParameters).toEqual(capture.queryStringParameters);
  expect(event.cookies).toEqual(capture.cookies);
  // Every header the capture has, lower-cased, repeats joined with a bare comma; no cookie header.
  expect(Object.keys(event.headers).sort()).toEqual(Object.keys(capture.headers).sort());
  for (const name of ['accept', 'content-type', 'user-agent', 'x-voker-probe'] as const) {
    expect(event.headers[name], name).toBe(capture.headers[name]);
  }
  expect(event.headers['x-amzn-trace-id']).toMatch(GENERATED_FORMATS.traceId);
  expect(event.body).toBe(capture.body);
  expect(event.isBase64Encoded).toBe(false);
  const context = event.requestContext;
  expect(Object.keys(context.http).sort()).toEqual(Object.keys(capture.requestContext.http).sort());
  expect(context.http.method).toBe('POST');
  expect(context.http.protocol).toBe('HTTP/1.1');
  expect(context.http.userAgent).toBe('curl/8.7.1');
  expect(context.stage).toBe('$default');
  // The capture's authentication/authorizer are its logger's empty placeholders: no authorizer here.
  const contextKeys = Object.keys(capture.requestContext).filter((k) => k !== 'authentication' && k !== 'authorizer');
  expect(Object.keys(context).sort()).toEqual(contextKeys.sort());
  expect(context.requestId).toMatch(GENERATED_FORMATS.requestId);
  expect(context.time).toMatch(GENERATED_FORMATS.time);
  expect(typeof context.timeEpoch).toBe('number');
}
