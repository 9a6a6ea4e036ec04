import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseCookie } from 'cookie';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Store, UserRecord } from '../store/store.js';
import type { TokenClaims, TokenService } from './tokens.js';

export const SESSION_COOKIE = 'session';

/** The bearer token of a request: `Authorization: Bearer …` first, else the `session` cookie. */
export function readToken(event: Pick<APIGatewayProxyEventV2, 'headers' | 'cookies'>): string | undefined {
  const authorization = event.headers?.authorization ?? event.headers?.Authorization;
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return bearer;
  // Payload v2 moves cookies out of the headers into `cookies`; accept the header too.
  const header = event.cookies?.join('; ') ?? event.headers?.cookie ?? '';
  return parseCookie(header)[SESSION_COOKIE] || undefined;
}

/** Verifies a token (no store access); UnauthorizedError when missing or invalid. */
export async function verifyToken(token: string | undefined, tokens: TokenService): Promise<TokenClaims> {
  if (!token) throw new UnauthorizedError('Not authenticated: log in first (POST /api/user/login).');
  return tokens.verify(token);
}

/**
 * Loads the user a token names: one strongly consistent GetItem on the user's own key (by name),
 * so users the Python service wrote (no index attributes) work as they are and a user created a
 * moment ago is never refused by index lag. The token's user id and session version are checked
 * against that item, so a deleted (or deleted and re-created), deactivated or revoked session
 * (logout, password change) loses access at once though the token is unexpired; admin routes
 * also need the user to be an admin now.
 */
export async function loadSessionUser(claims: TokenClaims, store: Store, level: 'user' | 'admin'): Promise<UserRecord> {
  const user = await store.getUser(claims.username);
  if (!user?.isActive || user.userId !== claims.userId || user.sessionVersion !== claims.sessionVersion) {
    throw new UnauthorizedError('Not authenticated: the session is no longer valid; log in again.');
  }
  if (level === 'admin' && !user.isAdmin) throw new ForbiddenError('Not authorized: this needs an admin account.');
  return user;
}

/** The `Set-Cookie` value carrying a session token. */
export function sessionCookie(token: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return cookie(token, options.maxAgeSeconds, options.secure);
}

/** The `Set-Cookie` value that removes the session cookie. */
export function clearedSessionCookie(options: { secure: boolean }): string {
  return cookie('', 0, options.secure);
}

function cookie(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
