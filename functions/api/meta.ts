import { apiHandler } from '../../lib/http/middleware.js';
import { metaRoutes } from '../../lib/http/routes/meta.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('api/meta', {});

/** HTTP API: the routes of lib/http/routes/meta.ts. */
export const handler = apiHandler(metaRoutes, deps);
