import type { Deps } from '../runtime.js';
import { withKeyForms } from './key-forms.js';
import type { Route } from './route.js';
import { routeMatcher } from './router.js';
import { streamKey, streamUrl } from './stream.js';

/** The stream route's template: `GET|HEAD /api/audio/{filename}`. */
export const STREAM_PATH = '/api/audio/{filename}';

const tables = new WeakMap<readonly Route[], Route[]>();

/**
 * Whether API Gateway routes `/api/audio/<key>` (encoded once) back to the stream route for this
 * very key: not when the decoded path cannot hold it (`/`, `?`, a `%` decoded twice), when a
 * browser would resolve it as a dot segment, or when a static route of the same method takes the
 * path (a file named `list` or `search`).
 */
export function streamsInPath(audioRoutes: readonly Route[], filename: string): boolean {
  if (/[%/?]/.test(filename) || filename === '.' || filename === '..') return false;
  let table = tables.get(audioRoutes);
  if (!table) {
    table = withKeyForms(audioRoutes);
    tables.set(audioRoutes, table);
  }
  const match = routeMatcher(table)('GET', `/api/audio/${filename}`);
  return match?.route.path === STREAM_PATH && !match.route.keyParam && match.params.filename === filename;
}

/**
 * The `url` maker of one request: each file's stream URL, relative to the API's origin, in the
 * path form when it carries the key and the key form otherwise, signed unless PUBLIC_AUDIO. The
 * audio route table is imported when first asked for (it imports the routes that call this).
 */
export async function fileUrls(deps: Deps, now: Date = new Date()): Promise<(filename: string) => string> {
  const [{ audioRoutes }, key] = await Promise.all([
    import('./routes/audio.js'),
    deps.config.PUBLIC_AUDIO ? Promise.resolve(null) : streamKey(deps),
  ]);
  const inPath = (filename: string) => streamsInPath(audioRoutes, filename);
  return (filename) => streamUrl(filename, { key, now, config: deps.config, inPath });
}
