import type { ApiFunction } from '../../lib/http/route.js';
import { routes } from '../../lib/http/routes.js';
import { type ApiHandler, type ApiServer, startApiServer } from '../../lib/local/server.js';
import { loadBundle } from './bundles.js';

/**
 * The HTTP API served by the deployed bundles of functions/api/*: the local front door builds the
 * API Gateway events and each route goes to its function's bundle, loaded on first use. The
 * bundles find the table, the bucket and their settings only through environment variables.
 */

export const ADMIN_PASSWORD = 'deployed admin password, long enough';

/**
 * The API functions' secrets. The deployed functions read them from Secrets Manager through the
 * Lambda extension, which does not run here: the same values come from the plain variables.
 */
export const API_SECRETS = {
  JWT_SECRET_ARN: '',
  ADMIN_PASSWORD_SECRET_ARN: '',
  JWT_SECRET: 'a deployed-test signing key of at least thirty-two bytes',
  ADMIN_PASSWORD,
};

/** Starts the local front door on a free port with every API route served by its bundle. */
export function startBundledApi(): Promise<ApiServer> {
  const loaded = new Map<ApiFunction, Promise<ApiHandler>>();
  const bundle = (fn: ApiFunction) => () => {
    if (!loaded.has(fn)) loaded.set(fn, loadBundle(`api/${fn}`) as Promise<ApiHandler>);
    return loaded.get(fn) as Promise<ApiHandler>;
  };
  return startApiServer({
    routes,
    handlers: {
      user: bundle('user'),
      'admin-users': bundle('admin-users'),
      audio: bundle('audio'),
      meta: bundle('meta'),
    },
  });
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** One request to the API as a client sends it; redirects are answered, not followed. */
export async function callApi(
  api: ApiServer,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; token?: string } = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    redirect: 'manual',
  });
  const json = response.headers.get('content-type')?.includes('json');
  return {
    status: response.status,
    headers: response.headers,
    body: (json ? await response.json() : {}) as Record<string, unknown>,
  };
}
