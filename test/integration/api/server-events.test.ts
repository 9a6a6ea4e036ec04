import { request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../../../lib/http/route.js';
import { type ApiServer, startApiServer } from '../../../lib/local/server.js';
import { capture, captureRequest, expectCaptureShape, ingress } from '../../helpers/apigw.js';

/** The local server over real HTTP: the events it hands the functions have API Gateway's shape. */

const echo = (method: 'GET' | 'POST', path: string) =>
  defineRoute({ method, path, fn: 'meta', auth: 'public', summary: 'echo', tags: [], response: z.unknown(), handle });
const handle = async () => ({});

/** Sends exactly these bytes (node's client keeps repeated headers and the raw target). */
function send(url: string, method: string, target: string, headers: Array<[string, string]>, body?: Buffer) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { hostname, port, host } = new URL(url);
    const raw = [['Host', host], ...headers.filter(([name]) => name.toLowerCase() !== 'host')].flat();
    const req = request({ hostname, port, method, path: target, headers: raw }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local server: the payload v2 events it builds', () => {
  let server: ApiServer;
  const events: APIGatewayProxyEventV2[] = [];
  beforeAll(async () => {
    const handler = async (event: APIGatewayProxyEventV2) => {
      events.push(event);
      return { statusCode: 200, body: '{}' };
    };
    server = await startApiServer({
      routes: [echo('POST', '/capture/{rest}'), echo('GET', '/capture/{rest}')],
      handlers: {
        meta: async () => handler,
        user: async () => handler,
        'admin-users': async () => handler,
        audio: async () => handler,
      },
      port: 0,
    });
  });
  afterAll(() => server.close());
  const last = () => events.at(-1)!;

  it('sends the captured request’s event, field by field', async () => {
    const res = await send(server.url, 'POST', captureRequest.target, captureRequest.headers, captureRequest.body);
    expect(res.status).toBe(200);
    expectCaptureShape(last(), { routeKey: 'POST /capture/{rest}', rawPath: '/capture/space value' });
    expect(last().pathParameters).toEqual({ rest: 'space value' });
    expect(last().headers.host).toBe(new URL(server.url).host);
    expect(last().headers['x-forwarded-proto']).toBe('http');
    expect(last().requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(capture.body).toBe(last().body);
  });

  it.each(ingress)(
    'routes $sentPath on the path the live capture shows',
    async ({ sentPath, httpAPIPath, httpAPIRejected }) => {
      const before = events.length;
      const res = await send(server.url, 'GET', `${sentPath}?marker=path-probe`, [['accept', '*/*']]);
      if (httpAPIRejected) {
        expect(res.status).toBe(400);
        expect(events.length).toBe(before);
        return;
      }
      // A decoded "/" makes the path one segment longer: no `/capture/{rest}` route then, as in AWS.
      if (httpAPIPath!.split('/').length > 3) {
        expect(res).toEqual({ status: 404, body: '{"message":"Not Found"}' });
        return;
      }
      expect(res.status).toBe(200);
      expect(last().rawPath).toBe(httpAPIPath);
      expect(last().pathParameters).toEqual({ rest: httpAPIPath!.slice('/capture/'.length) });
      expect(last().rawQueryString).toBe('marker=path-probe');
    },
  );

  it('base64-encodes a binary body and marks it, as HTTP APIs do', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    await send(server.url, 'POST', '/capture/bin', [['content-type', 'application/octet-stream']], bytes);
    expect(last()).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
    await send(server.url, 'GET', '/capture/none', []);
    expect(last().isBase64Encoded).toBe(false);
    expect(last().body).toBeUndefined();
  });
});
