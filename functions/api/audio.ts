import { apiHandler } from '../../lib/http/middleware.js';
import { audioRoutes } from '../../lib/http/routes/audio.js';
import { observability } from '../../lib/observability.js';
import { deps } from '../../lib/runtime.js';

/** HTTP API: the routes of lib/http/routes/audio.ts. */
export const handler = apiHandler(audioRoutes).use(observability(deps));
