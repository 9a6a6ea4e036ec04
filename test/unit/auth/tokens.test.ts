import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenService, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../../lib/auth/tokens.js';
import { UnauthorizedError } from '../../../lib/errors.js';

const key = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
const otherKey = new TextEncoder().encode('fedcba9876543210fedcba9876543210');
const service = createTokenService(key);
const now = () => Math.floor(Date.now() / 1000);

function forged(options: {
  key?: Uint8Array;
  iss?: string;
  aud?: string;
  exp?: number | null;
  nbf?: number;
  iat?: boolean;
}) {
  const jwt = new SignJWT({ username: 'alice' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('1')
    .setIssuer(options.iss ?? TOKEN_ISSUER)
    .setAudience(options.aud ?? TOKEN_AUDIENCE);
  if (options.iat !== false) jwt.setIssuedAt();
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now() + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? key);
}

describe('tokens', () => {
  it('round-trips the user id, name and session version', async () => {
    const token = await service.sign({ userId: 42, username: 'alice', sessionVersion: 3 });
    expect(await service.verify(token)).toEqual({ userId: 42, username: 'alice', sessionVersion: 3 });
  });

  it('accepts a correctly forged-by-us token (control for the rejections below); no session version reads as 0', async () => {
    await expect(service.verify(await forged({}))).resolves.toEqual({
      userId: 1,
      username: 'alice',
      sessionVersion: 0,
    });
  });

  const rejections: Array<[string, () => Promise<string>]> = [
    ['expired', () => forged({ exp: now() - 60 })],
    ['wrong key', () => forged({ key: otherKey })],
    ['wrong issuer', () => forged({ iss: 'someone-else' })],
    ['wrong audience', () => forged({ aud: 'another-api' })],
    ['nbf in the future', () => forged({ nbf: now() + 600 })],
    ['no exp', () => forged({ exp: null })],
    ['no iat', () => forged({ iat: false })],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ username: 'alice', sub: '1' })
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .encode(),
    ],
    [
      'HS512 with the right key (algorithm pinned)',
      () =>
        new SignJWT({ username: 'alice' })
          .setProtectedHeader({ alg: 'HS512' })
          .setSubject('1')
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(key),
    ],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = (await service.sign({ userId: 1, username: 'alice', sessionVersion: 0 })).split(
          '.',
        );
        const payload = Buffer.from(
          JSON.stringify({
            username: 'admin',
            sub: '2',
            iss: TOKEN_ISSUER,
            aud: TOKEN_AUDIENCE,
            iat: now(),
            exp: now() + 600,
          }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
    [
      'a session version that is not a whole number of 0 or more',
      () =>
        new SignJWT({ username: 'alice', sv: -1 })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('1')
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(now() + 600)
          .sign(key),
    ],
  ];

  for (const [name, make] of rejections) {
    it(`rejects a token: ${name}`, async () => {
      await expect(service.verify(await make())).rejects.toBeInstanceOf(UnauthorizedError);
    });
  }

  it('refuses keys shorter than 32 bytes', () => {
    expect(() => createTokenService(new Uint8Array(31))).toThrow(/at least 32/);
    expect(() => createTokenService(new Uint8Array(32))).not.toThrow();
  });
});
