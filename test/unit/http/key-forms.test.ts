import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { keyFormOf, keyFormPath, withKeyForms } from '../../../lib/http/key-forms.js';
import { defineRoute, type Route } from '../../../lib/http/route.js';
import { audioRoutes } from '../../../lib/http/routes/audio.js';
import { routes } from '../../../lib/http/routes.js';

const route = (method: 'GET' | 'DELETE', path: string): Route =>
  defineRoute({ method, path, fn: 'audio', auth: 'user', summary: 'x.', tags: [], response: z.unknown(), handle });
const handle = async () => ({});

describe('key forms of per-file routes', () => {
  it('drops the {filename} segment: the key goes to ?filename=', () => {
    expect(keyFormPath('/api/audio/{filename}/transcript')).toBe('/api/audio/transcript');
    expect(keyFormPath('/api/audio/{filename}/transcript/cancel')).toBe('/api/audio/transcript/cancel');
    expect(keyFormPath('/api/audio/{filename}')).toBe('/api/audio');
    expect(keyFormOf(route('GET', '/api/audio/list'))).toBeUndefined();
    expect(keyFormOf(route('GET', '/api/audio/{filename}'))).toMatchObject({
      path: '/api/audio',
      keyParam: 'filename',
    });
  });

  it('gives every per-file route of the table exactly one key form, with its handler, auth and schemas', () => {
    const perFile = routes.filter((r) => r.path.includes('{filename}'));
    expect(perFile.length).toBeGreaterThan(0);
    for (const r of perFile) {
      const forms = routes.filter((f) => f.keyParam && f.handle === r.handle && f.method === r.method);
      expect(
        forms.map((f) => f.path),
        `${r.method} ${r.path}`,
      ).toEqual([keyFormPath(r.path)]);
      expect(forms[0]).toMatchObject({ fn: r.fn, auth: r.auth, params: r.params });
    }
    expect(routes.filter((r) => r.keyParam)).toHaveLength(perFile.length);
  });

  it('is derived the same way from a function’s slice (no form twice)', () => {
    const slice = withKeyForms(audioRoutes);
    expect(withKeyForms(slice)).toEqual(slice);
    expect(slice.map((r) => `${r.method} ${r.path}`)).toEqual(
      routes.filter((r) => r.fn === 'audio').map((r) => `${r.method} ${r.path}`),
    );
  });

  it('refuses a key form that would take a declared route', () => {
    expect(() => withKeyForms([route('GET', '/api/audio/list'), route('GET', '/api/audio/{filename}/list')])).toThrow(
      /GET \/api\/audio\/\{filename\}\/list would be GET \/api\/audio\/list, which is already a route/,
    );
  });
});
