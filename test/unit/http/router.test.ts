import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../../lib/errors.js';
import { allowedMethods, routeMatcher, validate } from '../../../lib/http/router.js';
import { routes } from '../../../lib/http/routes.js';

const match = routeMatcher(routes);

describe('router', () => {
  it('matches the decoded path API Gateway sends, taking a parameter as it is (no second decoding)', () => {
    const found = match('GET', '/api/audio/100% %41 a+b #1.mp3/transcript');
    expect(found?.route.path).toBe('/api/audio/{filename}/transcript');
    expect(found?.params).toEqual({ filename: '100% %41 a+b #1.mp3' });
  });

  it('never lets a parameter span a "/" (API Gateway does not either)', () => {
    expect(match('GET', '/api/audio/albums/song.mp3/transcript')).toBeUndefined();
    expect(match('GET', '/api/audio/albums/song.mp3')).toBeUndefined();
  });

  it('prefers the static routes (and the key forms) over {filename}', () => {
    expect(match('GET', '/api/audio/list')?.route.path).toBe('/api/audio/list');
    expect(match('GET', '/api/audio/search')?.route.path).toBe('/api/audio/search');
    expect(match('POST', '/api/audio/upload-url')?.route.path).toBe('/api/audio/upload-url');
    expect(match('GET', '/api/audio/transcript')?.route).toMatchObject({
      path: '/api/audio/transcript',
      keyParam: 'filename',
    });
  });

  it('reports the allowed methods of a path matched with another method', () => {
    expect(allowedMethods(routes, '/api/admin/users/7')).toEqual(['PATCH', 'DELETE']);
    expect(allowedMethods(routes, '/api/nowhere')).toEqual([]);
  });

  it('escapes literal characters of templates', () => {
    expect(match('GET', '/api/openapi.json')?.route.path).toBe('/api/openapi.json');
    expect(match('GET', '/api/openapiXjson')).toBeUndefined();
  });

  it('names the part and field in validation errors', () => {
    const schema = z.object({ limit: z.coerce.number().int().max(5) }).strict();
    expect(() => validate('query', schema, { limit: '9' })).toThrow(/query\.limit/);
    expect(() => validate('body', schema, { limit: 1, role: 'admin' })).toThrow(/unknown field\(s\) role/);
    expect(() => validate('body', schema, { limit: 1, role: 'admin' })).toThrow(ValidationError);
    expect(validate('query', schema, { limit: '3' })).toEqual({ limit: 3 });
  });
});
