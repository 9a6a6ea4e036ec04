import { createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError } from '../../../lib/errors.js';
import { checkStreamSignature, expiryFor, signedQuery, streamUrl, strictEncode } from '../../../lib/http/stream.js';

const key = createSecretKey(new Uint8Array(32).fill(7));
const other = createSecretKey(new Uint8Array(32).fill(8));
const now = new Date('2026-03-01T10:20:30Z');
const query = (text: string) =>
  Object.fromEntries(new URLSearchParams(text)) as { expires?: string; signature?: string };

describe('signed stream URLs', () => {
  it('accepts its own signature for the same filename until the expiry, and nothing else', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (name, otherName) => {
        const expires = expiryFor(now, 3600);
        const signed = query(signedQuery(key, name, expires));
        expect(() => checkStreamSignature(key, name, signed, now)).not.toThrow();
        // Another key, another name, another expiry: refused.
        expect(() => checkStreamSignature(other, name, signed, now)).toThrow(ForbiddenError);
        if (otherName !== name) expect(() => checkStreamSignature(key, otherName, signed, now)).toThrow(ForbiddenError);
        expect(() => checkStreamSignature(key, name, { ...signed, expires: String(expires + 3600) }, now)).toThrow(
          ForbiddenError,
        );
      }),
    );
  });

  it('refuses an expired URL with a message that says when, and where to get a fresh one', () => {
    const expires = expiryFor(now, 60);
    const signed = query(signedQuery(key, 'a.mp3', expires));
    const later = new Date(expires * 1000);
    expect(() => checkStreamSignature(key, 'a.mp3', signed, later)).toThrow(
      /expired at 2026-03-01T11:00:00\.000Z: get a fresh one from GET \/api\/audio\/list/,
    );
  });

  it('needs a session when no signature is given (401), and refuses malformed ones (403)', () => {
    expect(() => checkStreamSignature(key, 'a.mp3', {}, now)).toThrow(UnauthorizedError);
    for (const bad of [
      { expires: 'soon', signature: 'x' },
      { expires: '9999999999' },
      { signature: 'AAAAAAAAAAAAAAAAAAAAAA' },
      { expires: '9999999999', signature: '' },
      { expires: '1e10', signature: 'AAAAAAAAAAAAAAAAAAAAAA' },
    ]) {
      expect(() => checkStreamSignature(key, 'a.mp3', bad, now), JSON.stringify(bad)).toThrow(ForbiddenError);
    }
  });

  it('rounds expiries up to the hour, so a file keeps its URL between polls', () => {
    expect(expiryFor(now, 86_400)).toBe(Date.parse('2026-03-02T11:00:00Z') / 1000);
    expect(expiryFor(new Date('2026-03-01T10:59:59Z'), 86_400)).toBe(expiryFor(now, 86_400));
    expect(expiryFor(now, 86_400) - now.getTime() / 1000).toBeGreaterThanOrEqual(86_400);
  });

  it('puts a key in the path when it travels there, else in ?filename=, escaped for HTML attributes and quotes', () => {
    const options = { key, now, config: { STREAM_URL_TTL_SECONDS: 3600 } };
    const inPath = streamUrl("it's (1).mp3", { ...options, inPath: () => true });
    expect(inPath).toMatch(/^\/api\/audio\/it%27s%20%281%29\.mp3\?expires=\d+&signature=[\w-]{22}$/);
    const byKey = streamUrl('albums/a b.mp3', { ...options, inPath: () => false });
    expect(byKey).toMatch(/^\/api\/audio\?filename=albums%2Fa%20b\.mp3&expires=\d+&signature=[\w-]{22}$/);
    expect(streamUrl('a.mp3', { ...options, key: null, inPath: () => true })).toBe('/api/audio/a.mp3');
    expect(decodeURIComponent(strictEncode("!'()* é/?#%"))).toBe("!'()* é/?#%");
    expect(strictEncode("!'()*")).toBe('%21%27%28%29%2A');
  });
});
