import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../lib/http/routes.js';
import { consoleSite } from '../../../lib/local/console.js';
import { type ApiServer, apiFunctionHandlers, startApiServer } from '../../../lib/local/server.js';
import { buildConsole } from '../../e2e/console/harness.js';

/**
 * The built console served by the local server's site hook, beside the API on one origin: what
 * `npm start` serves at `/`, with the headers the deployed site sends too.
 */
const S3 = 'http://127.0.0.1:4569';
let built: string;
let server: ApiServer;
let missing: ApiServer;

beforeAll(async () => {
  built = await buildConsole();
  const options = { routes, handlers: apiFunctionHandlers, port: 0 };
  server = await startApiServer({ ...options, site: consoleSite({ dir: built, s3Origins: [S3] }) });
  const empty = mkdtempSync(join(tmpdir(), 'console-empty-'));
  missing = await startApiServer({ ...options, site: consoleSite({ dir: empty, s3Origins: [S3] }) });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await missing?.close();
  rmSync(built, { recursive: true, force: true });
});

describe('the console at /', () => {
  it('serves index.html, revalidated on every load, with the CSP that allows only itself and the S3 endpoint', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${S3}`);
    expect(csp).toContain(`media-src 'self' ${S3}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
  });

  it('serves every built asset under its hashed name, cached for good, with its type', async () => {
    const assets = readdirSync(join(built, 'assets'));
    expect(assets.some((name) => name.endsWith('.css'))).toBe(true);
    for (const name of assets.filter((n) => !n.endsWith('.map'))) {
      const response = await fetch(`${server.url}/assets/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-type')).toMatch(name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
    const head = await fetch(`${server.url}/favicon.svg`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('image/svg+xml');
    expect(await head.text()).toBe('');
  });

  it('answers 404 for files it does not have, and for paths that try to leave its folder', async () => {
    for (const path of [
      '/nope.js',
      '/assets/',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/%E0%A4%A',
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
    }
  });

  it('leaves /api and /local to the API, and other methods to its 404', async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(health.headers.get('content-security-policy')).toBeNull();
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
    const post = await fetch(`${server.url}/`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({ message: 'Not Found' });
  });

  it('says how to build the console when it has not been built', async () => {
    const response = await fetch(`${missing.url}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:console');
  });
});
