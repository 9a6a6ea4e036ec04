import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocal } from '../../../lib/local/start.js';
import { APP_VERSION } from '../../../lib/version.js';

describe('local server (npm start) over real HTTP', () => {
  let dir: string;
  let stack: LocalStack;
  let base: string;
  const lines: string[] = [];
  let password: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'api-server-'));
    stack = await startLocal({
      env: { DATA_DIR: dir, LOG_LEVEL: 'SILENT', APP_ENV: 'local' },
      port: 0,
      log: (line) => lines.push(line),
    });
    base = stack.urls.api!;
    password = lines.join('\n').match(/admin \/ (\S+)/)?.[1] ?? '';
  });
  afterAll(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  const login = () =>
    fetch(`${base}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });

  it('prints its URL and a generated admin password, and listens on 127.0.0.1', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.join('\n')).toContain(base);
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(stack.admin).toMatchObject({ username: 'admin', created: true });
  });

  it('logs in with the printed credentials; the Set-Cookie session works as a cookie', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie();
    expect(cookie).toHaveLength(1);
    expect(cookie[0]).toMatch(/^session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    const session = await fetch(`${base}/api/user/session`, { headers: { cookie: cookie[0]!.split(';')[0]! } });
    expect(await session.json()).toEqual({ authenticated: true, username: 'admin', is_admin: true });
  });

  it('lists and reads audio with a Bearer token, with URL-encoded names', async () => {
    const { access_token: token } = (await (await login()).json()) as { access_token: string };
    await stack.deps.store.upsertAudioFile({ filename: 'my song (1).mp3', size: 5, duration: 1 });
    const list = await fetch(`${base}/api/audio/list?limit=10`, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { files: Array<{ filename: string }> };
    expect(body.files.map((f) => f.filename)).toContain('my song (1).mp3');
    const one = await fetch(`${base}/api/audio/${encodeURIComponent('my song (1).mp3')}/metadata`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(one.status).toBe(200);
  });

  it('never lets a traversal attempt reach a file: API Gateway finds no route, the key form answers 400', async () => {
    const { access_token: token } = (await (await login()).json()) as { access_token: string };
    const auth = { headers: { authorization: `Bearer ${token}` } };
    for (const path of ['/api/audio/..%2F..%2Fetc%2Fpasswd', '/api/audio/%2e%2e%2fsecret']) {
      const res = await fetch(`${base}${path}`, auth);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
    const nul = await fetch(`${base}/api/audio/a%00.mp3/metadata`, auth);
    expect(nul.status).toBe(400);
    for (const key of ['../../etc/passwd', '../secret', 'a\u0000.mp3']) {
      const res = await fetch(`${base}/api/audio/metadata?filename=${encodeURIComponent(key)}`, auth);
      expect(res.status, key).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/filename/);
    }
  });

  it('answers 401 without a session, 404 for unknown paths, 413/400 for bad bodies', async () => {
    expect((await fetch(`${base}/api/audio/list`)).status).toBe(401);
    expect((await fetch(`${base}/api/nope`)).status).toBe(404);
    const huge = await fetch(`${base}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'x'.repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    const broken = await fetch(`${base}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toHaveProperty('detail');
  });

  it('serves health and the OpenAPI document without a session', async () => {
    expect(await (await fetch(`${base}/api/health`)).json()).toEqual({
      status: 'ok',
      version: APP_VERSION,
      environment: 'local',
    });
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { openapi: string; paths: object };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/audio/{filename}', '/api/audio/{filename}/metadata']),
    );
  });

  it('keeps the admin and the JWT key across restarts, printing no password the second time', async () => {
    const { access_token: token } = (await (await login()).json()) as { access_token: string };
    const again: string[] = [];
    const second = await startLocal({
      env: { DATA_DIR: dir, LOG_LEVEL: 'SILENT', APP_ENV: 'local' },
      port: 0,
      log: (line) => again.push(line),
    });
    try {
      expect(second.admin.created).toBe(false);
      expect(again.join('\n')).not.toContain(password);
      const session = await fetch(`${second.urls.api}/api/user/session`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await session.json()).toMatchObject({ authenticated: true });
    } finally {
      await second.close();
    }
  });

  it('refuses to start with a JWT_SECRET shorter than 32 bytes', async () => {
    await expect(
      startLocal({ env: { DATA_DIR: dir, LOG_LEVEL: 'SILENT', JWT_SECRET: 'too-short' }, port: 0, log: () => {} }),
    ).rejects.toThrow(/JWT_SECRET.*at least 32/);
  });
});
