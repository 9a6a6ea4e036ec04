import { apiHandler } from '../../lib/http/middleware.js';
import { adminUserRoutes } from '../../lib/http/routes/admin-users.js';
import { dynamoStore } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('api/admin-users', { store: dynamoStore });

/** HTTP API: the routes of lib/http/routes/admin-users.ts. */
export const handler = apiHandler(adminUserRoutes, deps);
