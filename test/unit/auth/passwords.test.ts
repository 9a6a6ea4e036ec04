import { hash, parseOptions } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { hashFamily, hashPassword, verifyDummy, verifyPassword } from '../../../lib/auth/passwords.js';

describe('passwords', () => {
  it('stores new passwords as argon2id with m ≥ 19456, t ≥ 2', async () => {
    const stored = await hashPassword('s3cret-password');
    expect(stored).toMatch(/^\$argon2id\$v=19\$/);
    const options = parseOptions(stored);
    expect(options.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(options.timeCost).toBeGreaterThanOrEqual(2);
    expect(await verifyPassword(stored, 's3cret-password')).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword(stored, 's3cret-passwore')).ok).toBe(false);
  });

  it('verifies long and Unicode passwords exactly', async () => {
    const long = `${'x'.repeat(70)}é${'y'.repeat(30)}`;
    const unicode = 'pässwörd-密码-🔑-ǅ';
    const longHash = await hashPassword(long);
    const unicodeHash = await hashPassword(unicode);
    expect((await verifyPassword(longHash, long)).ok).toBe(true);
    expect((await verifyPassword(longHash, long.slice(0, -1))).ok).toBe(false);
    expect((await verifyPassword(unicodeHash, unicode)).ok).toBe(true);
    // NFC vs NFD forms are different byte strings and must not be conflated silently.
    expect((await verifyPassword(unicodeHash, unicode.normalize('NFD'))).ok).toBe(unicode === unicode.normalize('NFD'));
  });

  it('verifies a hash in the Python service’s passlib format (argon2id, m=65536, t=3, p=4) and asks for a re-hash to the current parameters', async () => {
    // passlib delegates to argon2-cffi, which writes standard PHC strings with these defaults.
    const ARGON2_CFFI_HASH = await hash('TestPass123', {
      algorithm: 2 as never,
      memoryCost: 65_536,
      timeCost: 3,
      parallelism: 4,
    });
    expect(ARGON2_CFFI_HASH).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword(ARGON2_CFFI_HASH, 'TestPass123')).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword(ARGON2_CFFI_HASH, 'TestPass124')).toEqual({ ok: false, needsRehash: false });
  });

  it('flags old passlib argon2i and weak argon2id hashes for upgrade', async () => {
    const argon2i = await hash('legacy', { algorithm: 1 as never, memoryCost: 512, timeCost: 2, parallelism: 2 });
    expect(argon2i).toMatch(/^\$argon2i\$/);
    expect(await verifyPassword(argon2i, 'legacy')).toEqual({ ok: true, needsRehash: true });
    const weak = await hash('legacy', { algorithm: 2 as never, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    expect(await verifyPassword(weak, 'legacy')).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword(weak, 'wrong')).toEqual({ ok: false, needsRehash: false });
  });

  it('verifies bcrypt $2b$ hashes and always asks for a re-hash', async () => {
    const stored = bcrypt.hashSync('legacy-bcrypt', 4).replace(/^\$2a\$/, '$2b$');
    expect(stored.startsWith('$2b$')).toBe(true);
    expect(await verifyPassword(stored, 'legacy-bcrypt')).toEqual({ ok: true, needsRehash: true });
    expect((await verifyPassword(stored, 'legacy-bcrypx')).ok).toBe(false);
  });

  it('names the cost class of a hash without its salt or digest', async () => {
    expect(hashFamily(await hashPassword('x'))).toBe('$argon2id$v=19$m=19456,t=2,p=1');
    expect(hashFamily('$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA')).toBe('$argon2id$v=19$m=65536,t=3,p=4');
    // The oldest argon2 strings have no version field.
    expect(hashFamily('$argon2i$m=512,t=2,p=2$c2FsdHNhbHQ$aGFzaA')).toBe('$argon2i$m=512,t=2,p=2');
    expect(hashFamily(bcrypt.hashSync('x', 4))).toBe('$2b$04');
    expect(hashFamily('$2y$12$abcdefghijklmnopqrstuv')).toBe('$2b$12');
    expect(hashFamily('plain-text')).toBe('other');
  });

  it('never matches unknown or malformed hash formats', async () => {
    for (const stored of ['', 'plain-text', '$argon2id$', '$argon2id$v=19$bad$c2FsdA$aGFzaA', '$1$abc$def']) {
      expect((await verifyPassword(stored, 'plain-text')).ok).toBe(false);
    }
  });

  it('spends about as long on a dummy verify as on a real one', async () => {
    const stored = await hashPassword('real');
    await verifyDummy('warm-up');
    const time = async (fn: () => Promise<unknown>) => {
      const start = performance.now();
      await fn();
      return performance.now() - start;
    };
    const real: number[] = [];
    const dummy: number[] = [];
    for (let i = 0; i < 7; i++) {
      real.push(await time(() => verifyPassword(stored, 'nope')));
      dummy.push(await time(() => verifyDummy('nope')));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(dummy)).toBeGreaterThan(median(real) * 0.5);
    expect(median(dummy)).toBeLessThan(median(real) * 2);
  });
});
