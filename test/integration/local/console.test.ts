import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../lib/http/routes.js';
import { consoleContentSecurityPolicy, consoleSite } from '../../../lib/local/console.js';
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
let apiOnly: ApiServer;

beforeAll(async () => {
  built = await buildConsole();
  const options = { routes, handlers: apiFunctionHandlers, port: 0 };
  server = await startApiServer({ ...options, site: consoleSite({ dir: built, s3Origins: [S3] }) });
  const empty = mkdtempSync(join(tmpdir(), 'console-empty-'));
  missing = await startApiServer({ ...options, site: consoleSite({ dir: empty, s3Origins: [S3] }) });
  apiOnly = await startApiServer(options);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await missing?.close();
  await apiOnly?.close();
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

  it('answers 404 for files it does not have', async () => {
    for (const path of ['/nope.js', '/assets/', '/%E0%A4%A']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
    }
  });

  it('never serves a file outside its folder, however the path spells `..`', async () => {
    // A real file beside the build folder, asked for with raw paths (fetch would normalize them).
    const secret = `${basename(built)}-secret.txt`;
    writeFileSync(join(dirname(built), secret), 'outside the console');
    try {
      for (const path of [`/../${secret}`, `/..%2f${secret}`, `/%2e%2e/${secret}`, `/assets/..%2f..%2f${secret}`]) {
        const { status, body } = await rawGet(server.url, path);
        expect(status, path).toBe(404);
        expect(body, path).not.toContain('outside the console');
      }
    } finally {
      rmSync(join(dirname(built), secret), { force: true });
    }
  });

  it('leaves /api and /local to the API, and other methods to its 404', async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // The API function's own security headers, exactly as a server without the console sends them.
    const alone = await fetch(`${apiOnly.url}/api/health`);
    for (const name of ['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-content-type-options']) {
      expect(health.headers.get(name), name).toBe(alone.headers.get(name));
    }
    expect(health.headers.get('content-security-policy')).not.toBe(consoleContentSecurityPolicy([S3]));
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

/** A GET with the path sent exactly as given. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}
