import { randomBytes } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';
import { hash, parseOptions, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

/**
 * Password hashing: argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane). Hashes written by
 * the Python service still verify: passlib's `$argon2…` strings are standard PHC strings, and
 * bcrypt `$2a$/$2b$/$2y$` hashes go through bcryptjs. Anything but argon2id with exactly the
 * current parameters is reported as `needsRehash`, so the login path converges every account on
 * one hash family (which also keeps failed logins equally slow, see ./timing.ts).
 */

// `Algorithm` is an ambient const enum, which isolatedModules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Longest password accepted; argon2 handles any length, the cap only bounds the work per request. */
export const MAX_PASSWORD_BYTES = 1024;

export interface VerifyResult {
  ok: boolean;
  /** True when the hash is valid for the password but uses an older scheme or weaker parameters. */
  needsRehash: boolean;
}

/** Hashes a password as argon2id with the current parameters. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** Verifies a password against an argon2 (any variant) or bcrypt hash; unknown formats never match. */
export async function verifyPassword(stored: string, password: string): Promise<VerifyResult> {
  if (stored.startsWith('$argon2')) {
    let ok: boolean;
    try {
      ok = await verify(stored, password);
    } catch {
      return { ok: false, needsRehash: false };
    }
    return { ok, needsRehash: ok && !hasCurrentParameters(stored) };
  }
  if (/^\$2[aby]\$\d\d\$/.test(stored)) {
    const ok = await bcrypt.compare(password, stored);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

/** Stronger parameters count as different too: the Python service's m=65536,t=3,p=4 is rehashed. */
function hasCurrentParameters(stored: string): boolean {
  try {
    const options = parseOptions(stored);
    return (
      options.algorithm === ARGON2ID &&
      options.memoryCost === ARGON2_OPTIONS.memoryCost &&
      options.timeCost === ARGON2_OPTIONS.timeCost &&
      options.parallelism === ARGON2_OPTIONS.parallelism
    );
  } catch {
    return false;
  }
}

/**
 * The cost class of a stored hash: the scheme and its parameters without salt and digest
 * (`$argon2id$v=19$m=65536,t=3,p=4`, `$2b$12`), so hashes that take equally long share a class;
 * `other` for formats that never verify.
 */
export function hashFamily(stored: string): string {
  if (stored.startsWith('$argon2')) {
    const parts = stored.split('$');
    // `v=` is absent from the oldest argon2 strings; the parameters field ends the class either way.
    const params = parts.findIndex((part) => part.startsWith('m='));
    return params > 0 ? parts.slice(0, params + 1).join('$') : 'other';
  }
  const bcryptCost = /^\$2[aby]\$(\d\d)\$/.exec(stored)?.[1];
  return bcryptCost ? `$2b$${bcryptCost}` : 'other';
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verify, for logins naming an unknown user, so the response time
 * does not tell which usernames exist. The dummy hash is made once per process from random bytes.
 */
export async function verifyDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  await verifyPassword(await dummyHash, password);
}
