import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../../lib/errors.js';
import { compilePath, matchRoute, servingRoute, validate } from '../../../lib/http/router.js';
import { routes } from '../../../lib/http/routes.js';

describe('router', () => {
  it('matches parameters on the raw path, so an encoded slash stays inside its segment', () => {
    const found = matchRoute(routes, 'GET', '/api/audio/albums%2Fsong.mp3/transcript');
    expect(found.route?.path).toBe('/api/audio/{filename}/transcript');
    expect(found.rawParams).toEqual({ filename: 'albums%2Fsong.mp3' });
  });

  it('prefers the static routes over {filename}', () => {
    expect(matchRoute(routes, 'GET', '/api/audio/list').route?.path).toBe('/api/audio/list');
    expect(matchRoute(routes, 'GET', '/api/audio/search').route?.path).toBe('/api/audio/search');
    expect(matchRoute(routes, 'POST', '/api/audio/upload-url').route?.path).toBe('/api/audio/upload-url');
  });

  it('reports the allowed methods of a path matched with another method', () => {
    expect(matchRoute(routes, 'PUT', '/api/admin/users/7')).toMatchObject({ allowed: ['PATCH', 'DELETE'] });
    expect(matchRoute(routes, 'GET', '/api/nowhere')).toMatchObject({ allowed: [] });
  });

  it('sends a known path with another method to the function serving that path, an unknown path nowhere', () => {
    expect(servingRoute(routes, 'PUT', '/api/admin/users/7')?.fn).toBe('admin-users');
    expect(servingRoute(routes, 'GET', '/api/audio/a.mp3')?.path).toBe('/api/audio/{filename}');
    expect(servingRoute(routes, 'GET', '/api/nowhere')).toBeUndefined();
  });

  it('escapes literal characters of templates', () => {
    const { pattern } = compilePath('/api/openapi.json');
    expect(pattern.test('/api/openapi.json')).toBe(true);
    expect(pattern.test('/api/openapiXjson')).toBe(false);
  });

  it('names the part and field in validation errors', () => {
    const schema = z.object({ limit: z.coerce.number().int().max(5) }).strict();
    expect(() => validate('query', schema, { limit: '9' })).toThrow(/query\.limit/);
    expect(() => validate('body', schema, { limit: 1, role: 'admin' })).toThrow(/unknown field\(s\) role/);
    expect(() => validate('body', schema, { limit: 1, role: 'admin' })).toThrow(ValidationError);
    expect(validate('query', schema, { limit: '3' })).toEqual({ limit: 3 });
  });
});
