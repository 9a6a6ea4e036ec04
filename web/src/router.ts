/**
 * Hash routes (`#/files/<name>`): every page is `/` to the server, so the same files work from
 * the local server and from S3 behind CloudFront with no rewrite rules (which would also rewrite
 * the API's own 404s). Pure: the unit tests run it without a browser.
 */
export type Route =
  | { page: 'library' }
  | { page: 'file'; filename: string }
  | { page: 'executions' }
  | { page: 'execution'; name: string }
  | { page: 'admin' }
  | { page: 'not-found'; path: string };

/** The route a hash names. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return undefined;
    }
  };
  if (path === '/') return { page: 'library' };
  if (path === '/executions') return { page: 'executions' };
  if (path === '/admin') return { page: 'admin' };
  const file = /^\/files\/(.+)$/.exec(path);
  const filename = file ? decode(file[1]!) : undefined;
  if (filename) return { page: 'file', filename };
  const execution = /^\/executions\/([^/]+)$/.exec(path);
  const name = execution ? decode(execution[1]!) : undefined;
  if (name) return { page: 'execution', name };
  return { page: 'not-found', path };
}

export const href = {
  library: () => '#/',
  file: (filename: string) => `#/files/${encodeURIComponent(filename)}`,
  executions: () => '#/executions',
  execution: (name: string) => `#/executions/${encodeURIComponent(name)}`,
  admin: () => '#/admin',
};
