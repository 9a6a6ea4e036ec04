import { apiHandler } from '../../lib/http/middleware.js';
import { adminUserRoutes } from '../../lib/http/routes/admin-users.js';
import { observability } from '../../lib/observability.js';
import { deps } from '../../lib/runtime.js';

/** HTTP API: the routes of lib/http/routes/admin-users.ts. */
export const handler = apiHandler(adminUserRoutes).use(observability(deps));
