import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../lib/http/openapi.js';
import { routes } from '../../../lib/http/routes.js';

type Json = Record<string, unknown>;
const doc = openApiDocument() as unknown as Json & { paths: Record<string, Record<string, Json>> };

/** Every `$ref` in the document, with where it was found. */
function refs(value: unknown, at = '#'): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((item, i) => refs(item, `${at}/${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) =>
      key === '$ref' && typeof child === 'string' ? [[at, child] as [string, string]] : refs(child, `${at}/${key}`),
    );
  }
  return [];
}

function resolve(pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

describe('OpenAPI document', () => {
  it('validates against the official OpenAPI 3.1 JSON schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('the validator catches a broken document (the check above can fail)', async () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Json & { paths: Record<string, Record<string, Json>> };
    const [path] = Object.keys(broken.paths);
    broken.paths[path ?? ''] = { get: { responses: 'none' } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('is an OpenAPI 3.1 document with info, paths and security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect((doc.components as Json).securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      cookie: { type: 'apiKey', in: 'cookie', name: 'session' },
    });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('describes every route of the table, and nothing else', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('declares every path parameter, required, and the query parameters of each route', () => {
    for (const route of routes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      const params = op.parameters as Array<{ name: string; in: string; required: boolean; schema: Json }>;
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(
        params.filter((p) => p.in === 'path').map((p) => p.name),
        route.path,
      ).toEqual(names);
      for (const p of params) {
        expect(['path', 'query']).toContain(p.in);
        expect(typeof p.schema).toBe('object');
        if (p.in === 'path') expect(p.required).toBe(true);
      }
      if (route.query)
        expect(
          params.some((p) => p.in === 'query'),
          route.path,
        ).toBe(true);
    }
    const search = doc.paths['/api/audio/search']!.get!.parameters as Array<{ name: string; required: boolean }>;
    // An empty q lists every file, as the old search did.
    expect(search.find((p) => p.name === 'q')?.required).toBe(false);
    expect(search.find((p) => p.name === 'limit')?.required).toBe(false);
  });

  it('has a JSON request body where the route takes one, closed to unknown fields where they could escalate', () => {
    for (const route of routes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      if (!route.body) {
        expect(op.requestBody, route.path).toBeUndefined();
        continue;
      }
      const content = (op.requestBody as { content: Record<string, { schema: Json }> }).content;
      if (route.bodyType === 'multipart') {
        // The old upload form: a form with a file part (not closed: a form with more fields is not refused for it).
        const schema = content['multipart/form-data']!.schema as Json & { properties: Record<string, Json> };
        expect(schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
        continue;
      }
      const schema = content['application/json']!.schema;
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties, `${route.method} ${route.path}`).toBe(false);
    }
    const upload = doc.paths['/api/audio/upload']!.post!.requestBody as { content: Record<string, { schema: Json }> };
    expect(
      Object.keys((upload.content['multipart/form-data']!.schema as { properties: Json }).properties).sort(),
    ).toEqual(['description', 'file', 'filename']);
    const create = doc.paths['/api/admin/users']!.post!.requestBody as { content: Record<string, { schema: Json }> };
    expect(create.content['application/json']!.schema.required).toEqual(['username', 'password']);
  });

  it('lists the success response and the error statuses implied by auth and input', () => {
    for (const route of routes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      const responses = op.responses as Record<string, { description: string; content: Json }>;
      expect(responses[String(route.status ?? 200)], route.path).toBeDefined();
      if (route.auth === 'user' || route.auth === 'admin') expect(responses['401'], route.path).toBeDefined();
      if (route.auth === 'admin') expect(responses['403'], route.path).toBeDefined();
      if (route.params || route.body) expect(responses['400'], route.path).toBeDefined();
      for (const response of Object.values(responses)) expect(response.description).toBeTruthy();
    }
    expect(doc.paths['/api/admin/users']!.post!.responses).toHaveProperty('201');
    expect(doc.paths['/api/audio/{filename}/transcribe']!.post!.responses).toHaveProperty('202');
  });

  it('documents the audio stream as a redirect that needs a session or a signed URL, unless PUBLIC_AUDIO', () => {
    for (const method of ['get', 'head']) {
      const op = doc.paths['/api/audio/{filename}']![method]!;
      expect(op.responses).toHaveProperty('302');
      expect(op.summary).toMatch(/302.*presigned S3 GET.*signed `url`.*PUBLIC_AUDIO=true/s);
      const names = (op.parameters as Array<{ name: string; in: string }>).map((p) => `${p.in}:${p.name}`);
      expect(names).toEqual(['path:filename', 'query:expires', 'query:signature']);
      // The key form, for names a path cannot carry.
      expect(doc.paths['/api/audio']![method]!.responses).toHaveProperty('302');
    }
    expect(doc.paths['/api/audio/{filename}/metadata']!.get!.responses).toHaveProperty('200');
    expect(doc.paths['/api/audio/{filename}']!.delete!.responses).toHaveProperty('200');
    expect((doc.info as { description: string }).description).toMatch(/PUBLIC_AUDIO/);
  });

  it('resolves every $ref and uses unique operation ids', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const [at, ref] of all) expect(resolve(ref), `${ref} at ${at}`).toBeTypeOf('object');
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never documents a password hash in a response', () => {
    for (const route of routes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(JSON.stringify(op.responses)).not.toMatch(/hashed_password|password/);
    }
  });
});
