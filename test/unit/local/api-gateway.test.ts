import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute, type Route } from '../../../lib/http/route.js';
import { routes } from '../../../lib/http/routes.js';
import {
  clfTime,
  decodeGatewayPath,
  gatewayEvent,
  gatewayRequest,
  isTextMedia,
} from '../../../lib/local/api-gateway.js';
import { capture, captureRequest, docs, expectCaptureShape, GENERATED_FORMATS, ingress } from '../../helpers/apigw.js';

const captureRoute: Route = defineRoute({
  method: 'POST',
  path: '/capture/{rest}',
  fn: 'meta',
  auth: 'public',
  summary: 'test',
  tags: [],
  response: z.unknown(),
  handle: async () => ({}),
});

describe('API Gateway HTTP API emulation', () => {
  it.each(ingress)('delivers $sentPath as the live capture shows', ({ sentPath, httpAPIPath, httpAPIRejected }) => {
    expect(decodeGatewayPath(sentPath)).toBe(httpAPIRejected ? undefined : httpAPIPath);
  });

  it('refuses an undecodable path with 400 and never builds an event for it', () => {
    const outcome = gatewayRequest(routes, { method: 'GET', target: '/api/audio/100%25done.mp3', headers: [] });
    expect(outcome).toEqual({ kind: 'answer', status: 400, body: { message: 'Bad Request' } });
  });

  it('answers 404 {"message":"Not Found"} itself when no route matches method and decoded path', () => {
    for (const [method, target] of [
      ['GET', '/api/nowhere'],
      ['PUT', '/api/admin/users'],
      ['GET', '/api/audio/albums%2Fsong.mp3/transcript'],
    ] as const) {
      expect(gatewayRequest(routes, { method, target, headers: [] }), target).toEqual({
        kind: 'answer',
        status: 404,
        body: { message: 'Not Found' },
      });
    }
  });

  it('builds the captured event for the captured request, field by field ($default route)', () => {
    const event = gatewayEvent(captureRequest, {
      path: '/capture/space value',
      rawQueryString: capture.rawQueryString,
    });
    expectCaptureShape(event, { routeKey: '$default', rawPath: '/capture/space value' });
    expect(event.headers['x-forwarded-for']).toBe(capture.headers['x-forwarded-for']);
    expect(event.headers['content-length']).toBe('66');
    expect(event.headers['x-forwarded-proto']).toBe(capture.headers['x-forwarded-proto']);
    expect(event.headers['x-forwarded-port']).toBe(capture.headers['x-forwarded-port']);
    expect(event.requestContext.http.sourceIp).toBe(capture.requestContext.http.sourceIp);
    expect(event.requestContext.domainName).toBe(capture.requestContext.domainName);
    expect(event.requestContext.domainPrefix).toBe(capture.requestContext.domainPrefix);
    expect(event.pathParameters).toBeUndefined();
  });

  it('sets routeKey and the decoded pathParameters for a matched route', () => {
    const outcome = gatewayRequest([captureRoute], captureRequest);
    if (outcome.kind !== 'invoke') throw new Error(`expected an event, got ${JSON.stringify(outcome)}`);
    expectCaptureShape(outcome.event, { routeKey: 'POST /capture/{rest}', rawPath: '/capture/space value' });
    expect(outcome.event.pathParameters).toEqual({ rest: 'space value' });
  });

  it('keeps to the fields and types of the AWS documentation example', () => {
    const event = gatewayEvent(
      {
        method: 'POST',
        target: '/my/path?parameter1=value1&parameter1=value2&parameter2=value',
        headers: [
          ['Header1', 'value1'],
          ['Header2', 'value1'],
          ['Header2', 'value2'],
          ['Cookie', 'cookie1; cookie2'],
          ['Content-Type', 'text/plain'],
        ],
        body: Buffer.from('Hello from Lambda'),
      },
      { path: '/my/path', rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value' },
    );
    const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : typeof value);
    const fieldsOf = (fields: object, prefix = '') =>
      Object.entries(fields).map(([key, value]): [string, unknown] => [prefix + key, value]);
    const documented = new Map([...fieldsOf(docs), ...fieldsOf(docs.requestContext, 'requestContext.')]);
    const ours = new Map([...fieldsOf(event), ...fieldsOf(event.requestContext, 'requestContext.')]);
    // Nothing the example does not have, each of the example's type.
    for (const [key, value] of ours) {
      expect([...documented.keys()], key).toContain(key);
      expect(typeOf(value), key).toBe(typeOf(documented.get(key)));
    }
    // And everything the example has, but what AWS sends only for a feature this API does not use
    // (in the live capture, test/fixtures/apigw/README.md, they are nulls or its tool's empty placeholders):
    const sentOnlyWhenUsed = [
      'pathParameters', // a route with path variables; this request goes to `$default`
      'stageVariables', // a stage that defines some; the stack's stage defines none
      // mutual TLS on a custom domain: API Gateway Developer Guide, "How to turn on mutual TLS
      // authentication for your HTTP APIs" (http-api-mutual-tls); the stack has no custom domain
      'requestContext.authentication',
      'requestContext.authorizer', // a route with an authorizer; the functions check the session themselves
    ];
    const expected = [...documented.keys()].filter((key) => !sentOnlyWhenUsed.includes(key));
    expect([...ours.keys()]).toEqual(expect.arrayContaining(expected));
    expect(event.headers).toMatchObject(docs.headers);
    expect(event.queryStringParameters).toEqual(docs.queryStringParameters);
    expect(event.cookies).toEqual(docs.cookies);
    expect(event.body).toBe(docs.body);
    expect(event.isBase64Encoded).toBe(docs.isBase64Encoded);
    expect(Object.keys(event.requestContext.http).sort()).toEqual(Object.keys(docs.requestContext.http).sort());
  });

  it('base64-encodes every body but text, JSON, XML and JavaScript, as HTTP APIs do', () => {
    for (const type of [
      'text/plain',
      'text/html; charset=utf-8',
      'application/json',
      'Application/JSON; charset=utf-8',
    ]) {
      expect(isTextMedia(type), type).toBe(true);
    }
    for (const type of [
      undefined,
      'application/octet-stream',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'audio/mpeg',
    ]) {
      expect(isTextMedia(type), String(type)).toBe(false);
    }
    const bytes = Buffer.from([0, 255, 1, 254]);
    const event = gatewayEvent(
      { method: 'POST', target: '/x', headers: [['content-type', 'application/octet-stream']], body: bytes },
      { path: '/x', rawQueryString: '' },
    );
    expect(event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
    const empty = gatewayEvent({ method: 'GET', target: '/x', headers: [] }, { path: '/x', rawQueryString: '' });
    expect(empty.isBase64Encoded).toBe(false);
    expect('body' in empty).toBe(false);
  });

  it('holds generated values to the formats the live capture shows', () => {
    expect(capture.headers['x-amzn-trace-id']).toMatch(GENERATED_FORMATS.traceId);
    expect(capture.requestContext.requestId).toMatch(GENERATED_FORMATS.requestId);
    expect(capture.requestContext.time).toMatch(GENERATED_FORMATS.time);
  });

  it('writes requestContext.time as API Gateway does', () => {
    expect(clfTime(new Date(Date.UTC(2026, 6, 10, 19, 19, 5)))).toBe('10/Jul/2026:19:19:05 +0000');
    expect(clfTime(new Date(1583348638390))).toBe('04/Mar/2020:19:03:58 +0000');
  });

  it('refuses an event over Lambda’s 6 MB invocation payload with 413, before any function', () => {
    const outcome = gatewayRequest([captureRoute], {
      ...captureRequest,
      headers: [['content-type', 'application/octet-stream']],
      body: Buffer.alloc(4.8 * 1024 * 1024),
    });
    expect(outcome).toMatchObject({ kind: 'answer', status: 413 });
  });
});
