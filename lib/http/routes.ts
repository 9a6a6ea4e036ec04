import type { Route } from './route.js';
import { adminUserRoutes } from './routes/admin-users.js';
import { audioRoutes } from './routes/audio.js';
import { metaRoutes } from './routes/meta.js';
import { userRoutes } from './routes/user.js';

/**
 * The whole route table: the local server and the OpenAPI document read it; each Lambda
 * (functions/api/*.ts) serves its own slice so its cold path loads only what it needs. The CDK
 * stack can map `method path → fn` from here.
 */
export const routes: readonly Route[] = [...userRoutes, ...adminUserRoutes, ...audioRoutes, ...metaRoutes];

export type { ApiFunction, AuthLevel, Route } from './route.js';
