import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { filePart, LARGE_UPLOAD_ROUTE, MAX_MULTIPART_BODY_BYTES } from '../../../lib/http/body.js';
import { withKeyForms } from '../../../lib/http/key-forms.js';
import { apiHandler } from '../../../lib/http/middleware.js';
import { openApiDocument } from '../../../lib/http/openapi.js';
import { defineRoute, type Route } from '../../../lib/http/route.js';
import { filenameParams } from '../../../lib/http/schemas.js';
import { type ApiServer, startApiServer } from '../../../lib/local/server.js';
import { callThrough, createHarness, type EventOptions, type Harness } from './harness.js';

/**
 * Route features of the framework, on routes of this test's own: HEAD routes, results that are
 * not JSON (a 302 with Location and no body, text, bytes), multipart bodies and their size limit.
 */

const stream = (method: 'GET' | 'HEAD') =>
  defineRoute({
    method,
    path: '/t/{filename}/stream',
    fn: 'meta',
    auth: 'public',
    summary: 'Redirect to the file.',
    tags: ['test'],
    params: filenameParams,
    status: 302,
    content: null,
    response: z.null(),
    async handle({ params }) {
      return { content: null, headers: { Location: `https://bucket.example/${encodeURIComponent(params.filename)}` } };
    },
  });

const uploadBody = z
  .object({ file: filePart, filename: z.string().optional(), description: z.string().optional() })
  .strict();

const declared: Route[] = [
  stream('GET'),
  stream('HEAD'),
  defineRoute({
    method: 'GET',
    path: '/t/text',
    fn: 'meta',
    auth: 'public',
    summary: 'Text.',
    tags: ['test'],
    content: 'text/plain; charset=utf-8',
    response: z.string(),
    handle: async () => ({ content: { type: 'text/plain; charset=utf-8', data: 'hello, λ' } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/t/bytes',
    fn: 'meta',
    auth: 'public',
    summary: 'Bytes.',
    tags: ['test'],
    content: 'audio/mpeg',
    response: z.unknown(),
    handle: async () => ({ content: { type: 'audio/mpeg', data: new Uint8Array([0xff, 0xfb, 0x00, 0x90]) } }),
  }),
  defineRoute({
    method: 'HEAD',
    path: '/t/json',
    fn: 'meta',
    auth: 'public',
    summary: 'JSON, headers only.',
    tags: ['test'],
    response: z.object({ a: z.number() }),
    handle: async () => ({ body: { a: 1 }, headers: { 'X-Count': '1' } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/t/upload',
    fn: 'meta',
    auth: 'public',
    summary: 'Upload.',
    tags: ['test'],
    body: uploadBody,
    bodyType: 'multipart',
    response: z.unknown(),
    async handle({ body }) {
      return {
        body: {
          name: body.file.filename,
          type: body.file.mimetype,
          size: body.file.content.length,
          first: body.file.content[0],
          last: body.file.content.at(-1),
          filename: body.filename ?? null,
          description: body.description ?? null,
        },
      };
    },
  }),
];

/** With the key forms, as lib/http/routes.ts derives them for API Gateway, OpenAPI and CDK. */
const table = withKeyForms(declared);

const BOUNDARY = '----test-boundary-7MA4YWxkTrZu0gW';

/** A multipart/form-data body: the parts in order, a file part last. */
function multipart(fields: Record<string, string>, file: { name: string; type: string; content: Buffer }): Buffer {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return Buffer.concat([
    Buffer.from(parts.join('')),
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}
const overhead = multipart({}, { name: 'a.mp3', type: 'audio/mpeg', content: Buffer.alloc(0) }).length;
const upload = (size: number): EventOptions => ({
  body: multipart({}, { name: 'a.mp3', type: 'audio/mpeg', content: Buffer.alloc(size - overhead, 7) }),
  headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
});

describe('route framework: HEAD, non-JSON results, multipart bodies', () => {
  let h: Harness;
  let handler: ReturnType<typeof apiHandler>;
  beforeEach(async () => {
    h = await createHarness();
    handler = apiHandler(declared, () => h.deps);
  });
  afterEach(() => h.close());
  const call = (method: string, target: string, options?: EventOptions) =>
    callThrough(table, () => handler, method, target, options);

  it('answers a redirect with Location and no body, for GET and for the separate HEAD route', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await call(method, `/t/${encodeURIComponent('my song #1.mp3')}/stream`);
      expect(res.status, method).toBe(302);
      expect(res.headers.location).toBe('https://bucket.example/my%20song%20%231.mp3');
      expect(res.raw).toBe('');
      expect(res.headers['content-type']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    const byKey = await call('HEAD', `/t/stream?filename=${encodeURIComponent('a/b?%41.mp3')}`);
    expect(byKey.headers.location).toBe(`https://bucket.example/${encodeURIComponent('a/b?%41.mp3')}`);
  });

  it('keeps the headers of a HEAD response and drops its body', async () => {
    const res = await call('HEAD', '/t/json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-count']).toBe('1');
    expect(res.raw).toBe('');
  });

  it('sends a body of its own media type: text as is, bytes base64-encoded', async () => {
    const text = await call('GET', '/t/text');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.raw).toBe('hello, λ');
    const bytes = await call('GET', '/t/bytes');
    expect(bytes.headers['content-type']).toBe('audio/mpeg');
    expect([...(bytes.bytes ?? [])]).toEqual([0xff, 0xfb, 0x00, 0x90]);
  });

  it('parses a multipart body: the file part as a Buffer, the fields as strings', async () => {
    const content = Buffer.from([1, 2, 3, 0, 255]);
    const res = await call('POST', '/t/upload', {
      body: multipart(
        { filename: 'Song Name.mp3', description: 'ünïcode' },
        { name: 'x.mp3', type: 'audio/mpeg', content },
      ),
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toEqual({
      name: 'x.mp3',
      type: 'audio/mpeg',
      size: 5,
      first: 1,
      last: 255,
      filename: 'Song Name.mp3',
      description: 'ünïcode',
    });
  });

  it('takes a multipart body up to what a Lambda can be sent, and answers 413 pointing to upload-url over it', async () => {
    expect(MAX_MULTIPART_BODY_BYTES).toBeGreaterThan(4 * 1024 * 1024);
    const atLimit = await call('POST', '/t/upload', upload(MAX_MULTIPART_BODY_BYTES));
    expect(atLimit.status, atLimit.raw.slice(0, 200)).toBe(200);
    expect(atLimit.body.size).toBe(MAX_MULTIPART_BODY_BYTES - overhead);
    const over = await call('POST', '/t/upload', upload(MAX_MULTIPART_BODY_BYTES + 1));
    expect(over.status).toBe(413);
    expect(over.body.detail).toContain(LARGE_UPLOAD_ROUTE);
    expect(over.body.detail).toContain(String(MAX_MULTIPART_BODY_BYTES));
    expect(over.gateway).toBeUndefined();
  });

  it('refuses a body that is not multipart with 415, and a broken or incomplete one with 400', async () => {
    const json = await call('POST', '/t/upload', { body: { file: 'x' } });
    expect(json.status).toBe(415);
    expect(json.body.detail).toMatch(/multipart\/form-data/);
    const broken = await call('POST', '/t/upload', {
      body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\nabc`),
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toMatch(/ends before its closing boundary/);
    const unknown = await call('POST', '/t/upload', {
      body: multipart({ role: 'admin' }, { name: 'a.mp3', type: 'audio/mpeg', content: Buffer.from('x') }),
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/unknown field\(s\) role/);
    const none = await call('POST', '/t/upload', {
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(none.status).toBe(400);
    expect(none.body.detail).toMatch(/^Invalid request: body/);
  });

  it('answers a body cut off inside its file part with 400, and nothing is left to throw later', async () => {
    const thrown: unknown[] = [];
    const record = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', record);
    try {
      const whole = upload(64 * 1024).body as Buffer;
      for (const cut of [whole.length - `\r\n--${BOUNDARY}--\r\n`.length, 1000]) {
        const res = await call('POST', '/t/upload', {
          body: whole.subarray(0, cut),
          headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        });
        expect(res.status, String(cut)).toBe(400);
        expect(res.body.detail).toMatch(/closing boundary/);
      }
      // The parser's stream errors are emitted on later ticks.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(thrown).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  it('documents HEAD, redirects, other media types and multipart bodies in a valid OpenAPI document', async () => {
    const doc = openApiDocument(table) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors).toBeUndefined();
    expect(doc.paths['/t/{filename}/stream']!.head!.responses).toMatchObject({
      '302': { description: expect.any(String) },
    });
    expect((doc.paths['/t/{filename}/stream']!.get!.responses as Record<string, object>)['302']).not.toHaveProperty(
      'content',
    );
    expect(doc.paths['/t/stream']!.head!.parameters).toEqual([
      expect.objectContaining({ name: 'filename', in: 'query', required: true }),
    ]);
    expect(doc.paths['/t/bytes']!.get!.responses).toMatchObject({ '200': { content: { 'audio/mpeg': {} } } });
    expect(doc.paths['/t/upload']!.post!.requestBody).toMatchObject({
      content: {
        'multipart/form-data': {
          schema: { properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
        },
      },
    });
  });
});

describe('route framework through the local server (real HTTP)', () => {
  let h: Harness;
  let server: ApiServer;
  beforeAll(async () => {
    h = await createHarness();
    const handler = apiHandler(declared, () => h.deps);
    const handlers = { meta: handler, user: handler, 'admin-users': handler, audio: handler };
    server = await startApiServer({
      routes: table,
      handlers: Object.fromEntries(Object.entries(handlers).map(([fn, x]) => [fn, async () => x])) as never,
      port: 0,
    });
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });

  it('uploads a browser-style FormData file and redirects HEAD without a body', async () => {
    const form = new FormData();
    form.set('filename', 'from a form.mp3');
    form.set('file', new Blob([new Uint8Array([9, 8, 7])], { type: 'audio/mpeg' }), 'x.mp3');
    const res = await fetch(`${server.url}/t/upload`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'x.mp3', size: 3, first: 9, last: 7, filename: 'from a form.mp3' });
    const head = await fetch(`${server.url}/t/${encodeURIComponent('a b.mp3')}/stream`, {
      method: 'HEAD',
      redirect: 'manual',
    });
    expect(head.status).toBe(302);
    expect(head.headers.get('location')).toBe('https://bucket.example/a%20b.mp3');
  });

  it('enforces the same upload limit as in AWS: the function’s 413 over it, API Gateway’s past 6 MB', async () => {
    const post = (size: number) => {
      const { body, headers } = upload(size);
      return fetch(`${server.url}/t/upload`, { method: 'POST', body: body as Buffer, headers });
    };
    const over = await post(MAX_MULTIPART_BODY_BYTES + 1);
    expect(over.status).toBe(413);
    expect(((await over.json()) as { detail: string }).detail).toContain(LARGE_UPLOAD_ROUTE);
    const tooLong = await post(5 * 1024 * 1024);
    expect(tooLong.status).toBe(413);
    expect(await tooLong.json()).not.toHaveProperty('detail');
  });
});
