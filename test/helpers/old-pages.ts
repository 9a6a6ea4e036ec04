import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * The Python service's own web pages (login, dashboard, admin, audio library and their scripts),
 * read at test time from a clone of its repository — never copied into this one — and served by a
 * front server that passes everything else (`/api/*`) to our local server, so the pages and the
 * API share one origin as they did in the old service.
 */

/** A clone (bare or not) of earchibald/yoto-smart-stream, given by OLD_SERVICE_REPO; unset, the test is skipped. */
export const OLD_SERVICE_REPO = process.env.OLD_SERVICE_REPO ?? '';
/** The branch of the old service whose pages are served, and the folder they are in. */
export const OLD_SERVICE_REF = 'aws-develop';
const STATIC = 'yoto_smart_stream/static';

/** The old service's page routes (yoto_smart_stream/api/app.py) and the file each serves. */
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/login': 'login.html',
  '/admin': 'admin.html',
  '/audio-library': 'audio-library.html',
  '/library': 'library.html',
  '/streams': 'streams.html',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Why the old pages cannot be served here, or undefined when they can. */
export function oldPagesMissing(): string | undefined {
  if (OLD_SERVICE_REPO === '') return 'OLD_SERVICE_REPO is not set (a clone of earchibald/yoto-smart-stream)';
  if (!existsSync(OLD_SERVICE_REPO)) {
    return `OLD_SERVICE_REPO=${OLD_SERVICE_REPO} does not exist (set it to a clone of earchibald/yoto-smart-stream)`;
  }
  try {
    execFileSync('git', ['-C', OLD_SERVICE_REPO, 'rev-parse', '--verify', `${OLD_SERVICE_REF}^{commit}`], {
      stdio: 'ignore',
    });
  } catch {
    return `${OLD_SERVICE_REPO} has no ${OLD_SERVICE_REF} branch`;
  }
  return undefined;
}

/** Every file of the old pages' folder, by its path under it. Read before any server starts. */
export function readOldPages(): Map<string, Buffer> {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', OLD_SERVICE_REPO, ...args], { maxBuffer: 64 * 1024 * 1024 });
  const names = git('ls-tree', '-r', '--name-only', OLD_SERVICE_REF, `${STATIC}/`).toString('utf8').split('\n');
  const files = new Map<string, Buffer>();
  for (const name of names.filter(Boolean)) {
    files.set(name.slice(STATIC.length + 1), git('show', `${OLD_SERVICE_REF}:${name}`));
  }
  return files;
}

export interface FrontServer {
  url: string;
  /** The commit the pages come from. */
  commit: string;
  close(): Promise<void>;
}

/**
 * Serves the old pages at their old routes (`/login`, `/admin`, `/audio-library`, `/static/…`)
 * and forwards every other request, unchanged, to `apiUrl`.
 */
export async function startOldPagesFront(apiUrl: string, files: Map<string, Buffer>): Promise<FrontServer> {
  const api = new URL(apiUrl);
  const commit = execFileSync('git', ['-C', OLD_SERVICE_REPO, 'rev-parse', OLD_SERVICE_REF]).toString().trim();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const file = PAGES[path] ?? (path.startsWith('/static/') ? path.slice('/static/'.length) : undefined);
    if (file !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      const body = files.get(file);
      response.statusCode = body ? 200 : 404;
      response.setHeader('content-type', body ? (TYPES[extname(file)] ?? 'application/octet-stream') : 'text/plain');
      response.end(body ?? 'Not found');
      return;
    }
    const upstream = httpRequest(
      {
        host: api.hostname,
        port: api.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: api.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      response.statusCode = 502;
      response.end();
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    commit,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Logs in to our API itself (not through the front server, nor with the browser's cookies). */
export async function logIn(
  apiUrl: string,
  username: string,
  password: string,
): Promise<{ status: number; token?: string }> {
  const response = await fetch(`${apiUrl}/api/user/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { access_token?: string };
  return { status: response.status, token: body.access_token };
}

/** What our API's `GET /api/user/session` says of a token. */
export async function sessionAt(
  apiUrl: string,
  token: string,
): Promise<{ authenticated: boolean; username?: string; is_admin?: boolean }> {
  const response = await fetch(`${apiUrl}/api/user/session`, { headers: { authorization: `Bearer ${token}` } });
  return (await response.json()) as { authenticated: boolean; username?: string; is_admin?: boolean };
}

/**
 * What a result box of the old admin page (`create-user`, `edit-user`) shows once it appears: the
 * success text, the error text (the API's `detail`), or undefined for the one not shown.
 */
export async function adminResult(
  page: Page,
  prefix: 'create-user' | 'edit-user',
): Promise<{ success?: string; error?: string }> {
  await page.locator(`#${prefix}-result`).waitFor();
  const shown = async (part: 'success' | 'error') =>
    (await page.locator(`#${prefix}-${part}`).isVisible())
      ? (await page.locator(`#${prefix}-${part}-message`).textContent())?.trim()
      : undefined;
  return { success: await shown('success'), error: await shown('error') };
}
