import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, StoreUnavailableError } from '../../../lib/errors.js';
import { MAX_JSON_BODY_BYTES } from '../../../lib/http/body.js';
import { apiHandler } from '../../../lib/http/middleware.js';
import { routes } from '../../../lib/http/routes.js';
import { apiEvent, call, createHarness, type Harness, invoke, lambdaContext, toApiResponse } from './harness.js';

describe('API middleware: bodies, errors, routing', () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await createHarness();
    token = await h.tokenFor(await h.user('root', { isAdmin: true }));
  });
  afterEach(() => h.close());

  it('answers invalid JSON with 400 and creates nothing', async () => {
    const res = await call('POST', '/api/admin/users', { token, body: '{"username": "x", "password": ' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'Invalid JSON in the request body: send a well-formed JSON object.' });
    expect(await h.deps.store.userCount()).toBe(1);
  });

  it('answers a JSON array or scalar body with a 400 from validation', async () => {
    for (const body of ['[]', '"text"', 'null', '42']) {
      const res = await call('POST', '/api/user/login', { body });
      expect(res.status, body).toBe(400);
      expect(res.body.detail).toMatch(/^Invalid request: body/);
    }
  });

  it('refuses a body over the limit with 413 before parsing it', async () => {
    const big = JSON.stringify({ username: 'x', password: 'y'.repeat(MAX_JSON_BODY_BYTES) });
    const res = await call('POST', '/api/user/login', { body: big });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/limit/);
  });

  it('refuses a non-JSON content type with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await call('POST', '/api/user/login', {
        body: 'username=a&password=b',
        headers: { 'content-type': type },
      });
      expect(res.status, type).toBe(415);
      expect(res.body.detail).toMatch(/application\/json/);
    }
    const missing = await invoke({ ...apiEvent('POST', '/api/user/login'), body: '{"username":"a","password":"b"}' });
    expect(missing.status).toBe(415);
  });

  it('accepts a base64-encoded JSON body and JSON content types with parameters or other casing', async () => {
    await h.user('alice', { password: 'correct horse battery' });
    const body = Buffer.from(JSON.stringify({ username: 'alice', password: 'correct horse battery' })).toString(
      'base64',
    );
    const event = apiEvent('POST', '/api/user/login', {
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });
    const res = await invoke({ ...event, body, isBase64Encoded: true });
    expect(res.status).toBe(200);
  });

  it('answers unknown paths with 404 and a known path with the wrong method with 405 + Allow', async () => {
    // API Gateway answers a request no route matches itself, as API Gateway does…
    const gateway = await call('PUT', '/api/admin/users', { token });
    expect(gateway).toMatchObject({ status: 404, body: { message: 'Not Found' }, gateway: true });
    // …and a function that gets one anyway (a `$default` or `ANY` route) answers in the API's terms.
    const unknown = await invoke(apiEvent('GET', '/api/audio/a.mp3/nothing-here', { token }), 'audio');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Not Found' });
    const wrong = await invoke(apiEvent('PUT', '/api/admin/users', { token }), 'admin-users');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, POST');
    expect(wrong.body.detail).toBe('Method PUT not allowed; use GET, POST.');
  });

  it('turns an unexpected error into a bare 500, logging it with the request id', async () => {
    const secret = new Error('database password is hunter2 at /srv/app/store.ts:42');
    h.deps.store.listAudioFiles = async () => {
      throw secret;
    };
    const logged = vi.spyOn(h.deps.logger, 'error');
    const res = await call('GET', '/api/audio/list', { token });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ detail: 'Internal server error' });
    expect(res.raw).not.toMatch(/hunter2|store\.ts|at /);
    expect(logged).toHaveBeenCalledWith(
      'Unhandled error in API request',
      expect.objectContaining({ error: secret, requestId: 'test-request' }),
    );
  });

  it('answers a store outage with 503 and no details', async () => {
    h.deps.store.listAudioFiles = async () => {
      throw new StoreUnavailableError('table audio-prod missing in account 123456789012');
    };
    const res = await call('GET', '/api/audio/list', { token });
    expect(res.status).toBe(503);
    expect(res.raw).not.toMatch(/123456789012/);
  });

  it('sends JSON with no-store caching and nosniff on every response', async () => {
    const res = await call('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a bare 500 when the function cannot make its deps, logging what to fix', async () => {
    const invalid = new ConfigError('Invalid configuration. Fix these environment variables:\n  APP_ENV: must be aws');
    const handler = apiHandler(routes, () => {
      throw invalid;
    });
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => {});
    try {
      const res = toApiResponse(
        (await handler(apiEvent('GET', '/api/health'), lambdaContext)) as APIGatewayProxyStructuredResultV2,
      );
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ detail: 'Internal server error' });
      expect(res.raw).not.toMatch(/APP_ENV/);
      expect(logged).toHaveBeenCalledWith(
        'Unhandled error in API request',
        expect.objectContaining({ error: invalid, requestId: 'test-request' }),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('routes under a named stage prefix as API Gateway sends it', async () => {
    const event = apiEvent('GET', '/prod/api/health');
    const res = await invoke({ ...event, requestContext: { ...event.requestContext, stage: 'prod' } });
    expect(res.status).toBe(200);
  });
});
