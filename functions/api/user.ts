import { apiHandler } from '../../lib/http/middleware.js';
import { userRoutes } from '../../lib/http/routes/user.js';
import { dynamoStore } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('api/user', { store: dynamoStore });

/** HTTP API: the routes of lib/http/routes/user.ts. */
export const handler = apiHandler(userRoutes, deps);
