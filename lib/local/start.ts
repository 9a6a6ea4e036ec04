import { pathToFileURL } from 'node:url';
import { type AdminBootstrap, bootstrapAdmin } from '../auth/bootstrap.js';
import { tokenService } from '../auth/context.js';
import { type Config, loadConfig } from '../config.js';
import { routes } from '../http/routes.js';
import { createLocalDeps } from '../runtime/local.js';
import { type Deps, setDeps } from '../runtime.js';
import { CONSOLE_DIR, consoleSite } from './console.js';
import { type ExecutionHistory, executionsHttp } from './executions.js';
import { startPipeline } from './pipeline.js';
import { apiFunctionHandlers, startApiServer } from './server.js';
import { openLocalStore } from './store.js';

/**
 * Local mode in one process: the store (SQLite in DATA_DIR, or an in-process dynalite with
 * STORE=dynamodb), the composition root installed with `setDeps`, the admin bootstrap and the
 * HTTP API on PORT. Each part registers its own `close`; they run in reverse order.
 */

export interface LocalOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT (0 picks a free port). */
  port?: number;
  /** Overrides S3_PORT (0 picks a free port; the default follows `port: 0`). */
  s3Port?: number;
  /** Where the banner goes (URLs, admin credentials); console.log by default. */
  log?: (line: string) => void;
  /** Extra adapters for the composition root (tests). */
  overrides?: Partial<Deps>;
  /** The built web console served at `/` (default dist/console, what `npm start` builds). */
  consoleDir?: string;
}

export interface LocalStack {
  urls: Record<string, string>;
  config: Config;
  deps: Deps;
  admin: AdminBootstrap;
  close(): Promise<void>;
}

/** Starts local mode; `close()` stops everything it started. */
export async function startLocal(options: LocalOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const config = loadConfig(options.env ?? process.env);
  const closers: Array<() => Promise<unknown>> = [];
  const urls: Record<string, string> = {};
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
    closers.length = 0;
  };
  try {
    // Store.
    let store = options.overrides?.store;
    if (!store) {
      const local = await openLocalStore(config);
      closers.push(() => local.close());
      if (local.dynamoEndpoint) urls.dynamodb = local.dynamoEndpoint;
      store = local.store;
    }

    // Composition root: every handler called below gets these deps. (The pipeline, when local
    // mode runs it, installs deps with its S3 endpoint and execution starter: use those here.)
    const deps = createLocalDeps(config, { ...options.overrides, store });
    const previous = setDeps(deps);
    closers.push(async () => setDeps(previous));
    await tokenService(deps); // refuse to start with a bad JWT key, before listening

    // Admin user.
    const admin = await bootstrapAdmin(config, store);

    // S3 endpoint and the ingest pipeline: uploads → on-upload → the ASL state machine in-process.
    // A free API port (tests) means a free S3 port too, so parallel stacks never collide.
    const s3Port = options.s3Port ?? (options.port === 0 ? 0 : config.S3_PORT);
    const pipeline = await startPipeline({ config: { ...config, S3_PORT: s3Port }, deps, resumeExecutions: true });
    closers.push(() => pipeline.close());
    urls.s3 = pipeline.s3.endpoint;

    // HTTP API.
    const api = await startApiServer({
      routes,
      handlers: apiFunctionHandlers,
      port: options.port ?? config.PORT,
      local: (rawPath, query) => executionRoutes(pipeline.history, rawPath, query),
      site: consoleSite({ dir: options.consoleDir ?? CONSOLE_DIR, s3Origins: [pipeline.s3.endpoint] }),
    });
    closers.push(() => api.close());
    urls.api = api.url;

    urls.console = `${api.url}/`;
    log(`Console      ${api.url}/  (sign in with the admin user below)`);
    log(`API          ${api.url}/api  (OpenAPI: ${api.url}/api/openapi.json)`);
    log(
      `S3           ${pipeline.s3.endpoint}  bucket "${config.AUDIO_BUCKET}"  (e.g. aws --endpoint-url ${pipeline.s3.endpoint} s3 cp song.mp3 s3://${config.AUDIO_BUCKET}/)`,
    );
    log(
      `Executions   npm run executions [-- <name>]  or  ${api.url}/local/executions  (history in ${pipeline.history.dir})`,
    );
    if (admin.generatedPassword) {
      log(`Admin user   ${admin.username} / ${admin.generatedPassword}  (generated now and shown only once)`);
    } else if (admin.created) {
      log(`Admin user   ${admin.username} (password from ADMIN_PASSWORD)`);
    } else {
      log(`Admin user   ${admin.username} (already existed; its password is unchanged)`);
    }
    return { urls, config, deps, admin, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `GET /local/executions[?status&limit]` and `GET /local/executions/{name}`: the run history as JSON. */
async function executionRoutes(history: ExecutionHistory, rawPath: string, query: URLSearchParams) {
  if (rawPath === '/local/executions') return executionsHttp(history, { query: Object.fromEntries(query) });
  const match = /^\/local\/executions\/([^/]+)$/.exec(rawPath);
  if (!match?.[1]) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    return { status: 400, body: { detail: 'Execution name is not valid percent-encoding.' } };
  }
  return executionsHttp(history, { name });
}

/** `npm start`: run until Ctrl-C / SIGTERM, then shut down cleanly. */
async function main(): Promise<void> {
  const stack = await startLocal();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, shutting down…`);
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
