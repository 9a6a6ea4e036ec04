import * as z from 'zod';
import { ensureAdminOnce } from '../../auth/bootstrap.js';
import { tokenService } from '../../auth/context.js';
import { login } from '../../auth/login.js';
import { clearedSessionCookie, sessionCookie } from '../../auth/session.js';
import { defineRoute } from '../route.js';
import { passwordText, successSchema } from '../schemas.js';

/** Login, logout and session: served by functions/api/user.ts. */

const loginBody = z
  .object({
    // Not the create-user pattern: accounts made by the Python service may predate it.
    username: z.string().min(1).max(256),
    password: passwordText.min(1),
  })
  .strict();

export const loginRoute = defineRoute({
  method: 'POST',
  path: '/api/user/login',
  fn: 'user',
  auth: 'public',
  summary: 'Log in; sets the session cookie and returns the token for Authorization: Bearer.',
  tags: ['user'],
  body: loginBody,
  response: successSchema.extend({ username: z.string(), access_token: z.string() }),
  errors: [400, 401, 403, 429],
  async handle({ body, deps, event }) {
    await ensureAdminOnce(deps);
    const tokens = await tokenService(deps);
    const { user, token } = await login(
      { ...body, address: event.requestContext?.http?.sourceIp },
      {
        store: deps.store,
        tokens,
        throttle: deps.loginThrottle,
        logger: deps.logger,
        metrics: deps.metrics,
      },
    );
    return {
      body: { success: true, message: 'Login successful', username: user.username, access_token: token },
      cookies: [sessionCookie(token, { secure: deps.config.APP_ENV !== 'local', maxAgeSeconds: tokens.ttlSeconds })],
    };
  },
});

export const logoutRoute = defineRoute({
  method: 'POST',
  path: '/api/user/logout',
  fn: 'user',
  auth: 'optional',
  summary: 'Log out: revokes the session (every token issued before) and clears the cookie; needs no session.',
  tags: ['user'],
  response: successSchema,
  async handle({ user, deps }) {
    // The cookie is cleared whatever happens; a failed revocation is logged, and the token then
    // lasts until it expires.
    if (user) {
      await deps.store.revokeSessions(user.username).catch((error: unknown) => {
        deps.logger.error('Session revocation at logout failed', { userId: user.userId, error });
      });
    }
    return {
      body: { success: true, message: 'Logged out' },
      cookies: [clearedSessionCookie({ secure: deps.config.APP_ENV !== 'local' })],
    };
  },
});

export const sessionRoute = defineRoute({
  method: 'GET',
  path: '/api/user/session',
  fn: 'user',
  auth: 'optional',
  summary: 'Who is logged in; `authenticated: false` without a valid session.',
  tags: ['user'],
  response: z.object({
    authenticated: z.boolean(),
    username: z.string().optional(),
    is_admin: z.boolean().optional(),
  }),
  async handle({ user }) {
    if (!user) return { body: { authenticated: false } };
    return { body: { authenticated: true, username: user.username, is_admin: user.isAdmin } };
  },
});

export const userRoutes = [loginRoute, logoutRoute, sessionRoute];
