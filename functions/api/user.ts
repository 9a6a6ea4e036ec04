import { apiHandler } from '../../lib/http/middleware.js';
import { userRoutes } from '../../lib/http/routes/user.js';
import { observability } from '../../lib/observability.js';
import { deps } from '../../lib/runtime.js';

/** HTTP API: the routes of lib/http/routes/user.ts. */
export const handler = apiHandler(userRoutes).use(observability(deps));
