import { apiHandler } from '../../lib/http/middleware.js';
import { audioRoutes } from '../../lib/http/routes/audio.js';

/** HTTP API: the routes of lib/http/routes/audio.ts. */
export const handler = apiHandler(audioRoutes);
