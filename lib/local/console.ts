import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web console (web/, built by `vite build` into dist/console) served on the API's own origin,
 * as CloudFront serves the same files from S3 when deployed: `/` is index.html, hashed assets are
 * cached for good, and every response carries the same security headers as the deployed site.
 */

/** Where `npm run build:console` (run by `npm start`) writes the app. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console', import.meta.url));

/**
 * The console's Content-Security-Policy: its own origin only, plus the S3 endpoint that the API's
 * presigned URLs point at (uploads PUT there; the player follows the stream URL's redirect there).
 */
export function consoleContentSecurityPolicy(s3Origins: readonly string[]): string {
  const s3 = s3Origins.join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${s3}`.trim(),
    `media-src 'self' ${s3}`.trim(),
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Security headers of every console response (the deployed site's response headers policy sets the same). */
function consoleSecurityHeaders(s3Origins: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(s3Origins),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleSiteOptions {
  /** The built app (default CONSOLE_DIR). */
  dir?: string;
  /** Origins of the S3 endpoint the browser may talk to (local mode: s3rver's URL). */
  s3Origins: readonly string[];
}

/**
 * A static-file handler for the local server's `site` hook: GET and HEAD of the built console.
 * A request for anything else resolves false (the API answers it).
 */
export function consoleSite(options: ConsoleSiteOptions) {
  const dir = resolve(options.dir ?? CONSOLE_DIR);
  const headers = consoleSecurityHeaders(options.s3Origins);

  return async (request: IncomingMessage, response: ServerResponse, rawPath: string): Promise<boolean> => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    if (rawPath === '/' && !existsSync(join(dir, 'index.html'))) {
      send(response, 503, 'text/html; charset=utf-8', notBuiltPage(dir), method);
      return true;
    }
    const file = fileOf(dir, rawPath);
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) {
      send(response, 404, 'text/plain; charset=utf-8', 'Not found\n', method);
      return true;
    }
    response.statusCode = 200;
    response.setHeader('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    response.setHeader('content-length', info.size);
    // Vite names every asset by its content hash: it never changes under that name.
    response.setHeader(
      'cache-control',
      rawPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    if (method === 'HEAD') {
      response.end();
      return true;
    }
    await new Promise<void>((done, fail) => {
      createReadStream(file).on('error', fail).pipe(response).on('finish', done).on('error', fail);
    });
    return true;
  };
}

/** The file a path names inside `dir`, or undefined for anything that would leave it. */
function fileOf(dir: string, rawPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath === '/' ? '/index.html' : rawPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.split(/[/\\]/).some((segment) => segment === '..')) return undefined;
  const file = resolve(dir, `.${path}`);
  return file.startsWith(dir + sep) ? file : undefined;
}

function send(response: ServerResponse, status: number, type: string, body: string, method: string): void {
  response.statusCode = status;
  response.setHeader('content-type', type);
  response.setHeader('cache-control', 'no-cache');
  response.end(method === 'HEAD' ? undefined : body);
}

function notBuiltPage(dir: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>
<body><h1>The web console is not built</h1>
<p>Nothing is in <code>${dir.replace(/[<>&]/g, '')}</code>. Run <code>npm start</code> (it builds the console first) or
<code>npm run build:console</code>, then reload. The API is at <a href="/api/health">/api</a>.</p></body></html>\n`;
}
