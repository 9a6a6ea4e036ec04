import { withKeyForms } from './key-forms.js';
import type { Route } from './route.js';
import { adminUserRoutes } from './routes/admin-users.js';
import { audioRoutes } from './routes/audio.js';
import { metaRoutes } from './routes/meta.js';
import { userRoutes } from './routes/user.js';

/**
 * The whole route table, with the key form of every per-file route (lib/http/key-forms.ts): the
 * local server, the OpenAPI document and the CDK stack read it; each Lambda (functions/api/*.ts)
 * serves its own slice (and derives the same key forms) so its cold path loads only what it needs.
 */
export const routes: readonly Route[] = withKeyForms([
  ...userRoutes,
  ...adminUserRoutes,
  ...audioRoutes,
  ...metaRoutes,
]);

export type { ApiFunction, AuthLevel, Route } from './route.js';
