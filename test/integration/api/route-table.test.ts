import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../../lib/auth/tokens.js';
import { routes } from '../../../lib/http/routes.js';
import type { UserRecord } from '../../../lib/store/store.js';
import { formData } from '../../helpers/multipart.js';
import { call, createHarness, type Harness, SECRET_KEY } from './harness.js';

/** Public by design: logging in, liveness, status, and the API description. */
const PUBLIC = ['POST /api/user/login', 'GET /api/health', 'GET /api/status', 'GET /api/openapi.json'];
/** The audio itself: a session or a signed URL (or PUBLIC_AUDIO); a bad token without a signature is a 401. */
const STREAM = ['GET /api/audio/{filename}', 'HEAD /api/audio/{filename}', 'GET /api/audio', 'HEAD /api/audio'];
/** Report or end the session instead of requiring one: a bad token is no session (200, this body). */
const OPTIONAL: Record<string, unknown> = {
  'GET /api/user/session': { authenticated: false },
  'POST /api/user/logout': { success: true, message: 'Logged out' },
};

const now = () => Math.floor(Date.now() / 1000);

/** A concrete path and a valid body for each route, so only the token decides the outcome. */
function requestFor(route: (typeof routes)[number], victimId: number) {
  const path = route.path.replace('{filename}', encodeURIComponent('song.mp3')).replace('{user_id}', String(victimId));
  const upload = formData({ filename: 'new one' }, [
    { name: 'x.mp3', type: 'audio/mpeg', content: Buffer.from('ID3') },
  ]);
  const bodies: Record<string, unknown> = {
    'POST /api/audio/upload': upload.body,
    'POST /api/admin/users': { username: 'newbie', password: 'a long password' },
    'PATCH /api/admin/users/{user_id}': { is_admin: true },
    'POST /api/audio/upload-url': { filename: 'x.mp3', content_type: 'audio/mpeg' },
  };
  const query = route.path === '/api/audio/search' ? '?q=song' : route.keyParam ? '?filename=song.mp3' : '';
  const key = `${route.method} ${route.path}`;
  return {
    path: `${path}${query}`,
    body: bodies[key],
    ...(key === 'POST /api/audio/upload' ? { headers: upload.headers } : {}),
  };
}

describe('route table: every non-public route refuses a bad token', () => {
  let h: Harness;
  let alice: UserRecord;
  let victim: UserRecord;
  const tokens: Record<string, string> = {};

  const forge = (claims: {
    key?: Uint8Array;
    iss?: string;
    aud?: string;
    exp?: number | null;
    nbf?: number;
    alg?: string;
  }) => {
    const jwt = new SignJWT({ username: alice.username })
      .setProtectedHeader({ alg: claims.alg ?? 'HS256' })
      .setSubject(String(alice.userId))
      .setIssuer(claims.iss ?? TOKEN_ISSUER)
      .setAudience(claims.aud ?? TOKEN_AUDIENCE)
      .setIssuedAt();
    if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? now() + 600);
    if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
    return jwt.sign(claims.key ?? SECRET_KEY);
  };

  beforeAll(async () => {
    h = await createHarness();
    alice = await h.user('alice', { isAdmin: true });
    victim = await h.user('victim');
    await h.deps.store.upsertAudioFile({ filename: 'song.mp3', size: 10 });
    tokens.expired = await forge({ exp: now() - 120 });
    tokens['wrong key'] = await forge({ key: new TextEncoder().encode('another-key-of-at-least-32-bytes!!') });
    tokens['alg none'] = new UnsecuredJWT({ username: alice.username, sub: String(alice.userId) })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    tokens['wrong iss'] = await forge({ iss: 'evil' });
    tokens['wrong aud'] = await forge({ aud: 'other-api' });
    tokens['nbf in the future'] = await forge({ nbf: now() + 600 });
    tokens['no exp'] = await forge({ exp: null });
    tokens.HS384 = await forge({ alg: 'HS384' });
    tokens.garbage = 'definitely-not-a-jwt';
  });
  afterAll(() => h.close());

  it('knows every route (a new route must be classified here)', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    for (const key of [...PUBLIC, ...Object.keys(OPTIONAL)]) expect(keys).toContain(key);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const expected = PUBLIC.includes(key)
        ? 'public'
        : key in OPTIONAL || STREAM.includes(key)
          ? 'optional'
          : ['user', 'admin'];
      if (Array.isArray(expected)) expect(expected, key).toContain(route.auth);
      else expect(route.auth, key).toBe(expected);
    }
  });

  for (const kind of [
    'missing',
    'expired',
    'wrong key',
    'alg none',
    'wrong iss',
    'wrong aud',
    'nbf in the future',
    'no exp',
    'HS384',
    'garbage',
  ]) {
    it(`refuses a ${kind} token with 401 on every route but login, health and openapi`, async () => {
      for (const route of routes) {
        const key = `${route.method} ${route.path}`;
        if (PUBLIC.includes(key)) continue;
        const { path, body, headers } = requestFor(route, victim.userId);
        const token = tokens[kind];
        for (const via of ['bearer', 'cookie'] as const) {
          const options = token === undefined ? {} : via === 'bearer' ? { token } : { cookies: [`session=${token}`] };
          const res = await call(route.method, path, { body, headers, ...options });
          if (key in OPTIONAL) {
            expect(res.status, key).toBe(200);
            expect(res.body, key).toEqual(OPTIONAL[key]);
          } else {
            expect(res.status, `${key} via ${via}`).toBe(401);
            // HEAD answers carry no body.
            if (route.method !== 'HEAD') expect(res.body.detail, key).toMatch(/^Not authenticated/);
          }
        }
      }
      // Nothing changed.
      expect(await h.deps.store.getUser('newbie')).toBeUndefined();
      expect((await h.deps.store.getUser('victim'))?.isAdmin).toBe(false);
    });
  }

  it('answers 403 to a non-admin on every admin route', async () => {
    const token = await h.tokenFor(victim);
    for (const route of routes.filter((r) => r.auth === 'admin')) {
      const { path, body, headers } = requestFor(route, alice.userId);
      const res = await call(route.method, path, { body, headers, token });
      expect(res.status, `${route.method} ${route.path}`).toBe(403);
    }
  });
  it('accepts a good token on every protected route (control; runs last, it changes data)', async () => {
    const good = await forge({});
    for (const route of routes.filter((r) => r.auth === 'user' || r.auth === 'admin')) {
      const { path, body, headers } = requestFor(route, victim.userId);
      const res = await call(route.method, path, { body, headers, token: good });
      expect([401, 403], `${route.method} ${route.path}: ${res.raw}`).not.toContain(res.status);
      // Undo effects that would change later requests.
      if (route.path.startsWith('/api/admin/users/'))
        victim = (await h.deps.store.getUser('victim')) ?? (await h.user('victim'));
    }
  });
});
