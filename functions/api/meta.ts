import { apiHandler } from '../../lib/http/middleware.js';
import { metaRoutes } from '../../lib/http/routes/meta.js';
import { observability } from '../../lib/observability.js';
import { deps } from '../../lib/runtime.js';

/** HTTP API: the routes of lib/http/routes/meta.ts. */
export const handler = apiHandler(metaRoutes).use(observability(deps));
