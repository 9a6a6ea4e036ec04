import type { Route } from './route.js';

/**
 * The key form of a per-file route. API Gateway HTTP APIs decode the path before routing, so a
 * `{filename}` segment cannot hold a `/` (the route no longer matches), a `?` (the path is cut
 * there) or a `%` (decoded twice: `%` is refused, `%41` becomes `A`). Every route with a
 * `{filename}` segment therefore also answers at its template without that segment, with the key
 * in the query string, which API Gateway decodes exactly once:
 *
 *   GET /api/audio/{filename}/transcript  ⇄  GET /api/audio/transcript?filename=<encoded key>
 *
 * The key forms are derived here from the route table, so the handlers, the OpenAPI document and
 * the CDK routes all get them.
 */

/** The path parameter that holds an S3 key. */
export const KEY_PARAM = 'filename';

const KEY_SEGMENT = `/{${KEY_PARAM}}`;

/** A per-file template without its `{filename}` segment: where its key form answers. */
export function keyFormPath(path: string): string {
  return path.replace(KEY_SEGMENT, '') || '/';
}

/** The key form of a route, or undefined when its path has no `{filename}` segment. */
export function keyFormOf(route: Route): Route | undefined {
  if (route.keyParam || !route.path.includes(KEY_SEGMENT)) return undefined;
  return {
    ...route,
    path: keyFormPath(route.path),
    keyParam: KEY_PARAM,
    summary: `${route.summary} The key in the query (?${KEY_PARAM}=), for any name.`,
  };
}

/**
 * The routes with the key form of each per-file route added after them. A key form that would
 * take the method and path of a declared route is a mistake in the table: it throws.
 */
export function withKeyForms(routes: readonly Route[]): Route[] {
  const table = [...routes];
  const taken = new Map(routes.map((route) => [`${route.method} ${route.path}`, route]));
  for (const route of routes) {
    const form = keyFormOf(route);
    if (!form) continue;
    const key = `${form.method} ${form.path}`;
    const existing = taken.get(key);
    if (existing?.keyParam && existing.handle === form.handle) continue;
    if (existing) {
      throw new Error(
        `Route table: the key form of ${route.method} ${route.path} would be ${key}, which is already a route; rename one of them.`,
      );
    }
    taken.set(key, form);
    table.push(form);
  }
  return table;
}
