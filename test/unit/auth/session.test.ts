import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readToken, sessionCookie } from '../../../lib/auth/session.js';

describe('session transport', () => {
  it('reads the Bearer token first, then the session cookie from the v2 cookies array or the header', () => {
    expect(readToken({ headers: { authorization: 'Bearer abc.def.ghi' }, cookies: ['session=zzz'] })).toBe(
      'abc.def.ghi',
    );
    expect(readToken({ headers: {}, cookies: ['theme=dark', 'session=tok'] })).toBe('tok');
    expect(readToken({ headers: { cookie: 'a=1; session=tok2; b=2' } })).toBe('tok2');
    expect(readToken({ headers: { authorization: 'Basic dXNlcjpwYXNz' } })).toBeUndefined();
    expect(readToken({ headers: {}, cookies: ['xsession=nope', 'session='] })).toBeUndefined();
    expect(readToken({ headers: {} })).toBeUndefined();
  });

  it('sets HttpOnly, SameSite=Lax, Path=/ and Secure only when asked', () => {
    expect(sessionCookie('t', { secure: true, maxAgeSeconds: 60 })).toBe(
      'session=t; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
    expect(sessionCookie('t', { secure: false, maxAgeSeconds: 60 })).not.toContain('Secure');
    expect(clearedSessionCookie({ secure: true })).toBe('session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure');
  });
});
