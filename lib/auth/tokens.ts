import { jwtVerify, SignJWT } from 'jose';
import { UnauthorizedError } from '../errors.js';

/**
 * Session tokens: HS256 JWTs signed with a key of at least 32 bytes. Verification pins the
 * algorithm, issuer and audience and requires `exp`, `iat` and `sub`; jose also rejects an `nbf`
 * in the future. Every failure is the same 401 so a caller learns nothing about why.
 */

export const TOKEN_ISSUER = 'audio-ingest';
export const TOKEN_AUDIENCE = 'audio-ingest-api';
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;
export const MIN_KEY_BYTES = 32;
const ALG = 'HS256';

export interface TokenClaims {
  userId: number;
  username: string;
  /** The user's session version when the token was issued (claim `sv`; 0 for tokens without it). */
  sessionVersion: number;
}

export interface TokenService {
  sign(claims: TokenClaims): Promise<string>;
  /** Returns the claims of a valid token; UnauthorizedError otherwise. */
  verify(token: string): Promise<TokenClaims>;
  readonly ttlSeconds: number;
}

/** Builds the signer/verifier for a key; refuses keys shorter than 32 bytes. */
export function createTokenService(key: Uint8Array, options: { ttlSeconds?: number } = {}): TokenService {
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new RangeError(`JWT key is ${key.byteLength} bytes; it must be at least ${MIN_KEY_BYTES} random bytes.`);
  }
  const ttlSeconds = options.ttlSeconds ?? TOKEN_TTL_SECONDS;
  return {
    ttlSeconds,
    sign: ({ userId, username, sessionVersion }) =>
      new SignJWT({ username, sv: sessionVersion })
        .setProtectedHeader({ alg: ALG, typ: 'JWT' })
        .setSubject(String(userId))
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          requiredClaims: ['exp', 'iat', 'sub'],
          clockTolerance: 5,
        });
        const userId = Number(payload.sub);
        const sessionVersion = payload.sv ?? 0;
        if (!Number.isSafeInteger(userId) || typeof payload.username !== 'string') throw new Error('bad claims');
        if (!Number.isSafeInteger(sessionVersion) || (sessionVersion as number) < 0) throw new Error('bad claims');
        return { userId, username: payload.username, sessionVersion: sessionVersion as number };
      } catch (error) {
        // jose's errors (JOSEError) and the claim check above are all Errors.
        if (error instanceof Error) {
          throw new UnauthorizedError('Not authenticated: the session is missing, invalid or expired; log in again.');
        }
        throw error;
      }
    },
  };
}
