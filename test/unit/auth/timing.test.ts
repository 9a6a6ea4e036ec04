import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { hashFamily, hashPassword } from '../../../lib/auth/passwords.js';
import { createLoginTiming, REFERENCE_HASHES } from '../../../lib/auth/timing.js';

const elapsed = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

describe('failed-login timing', () => {
  it('keeps reference hashes of the Python service’s argon2 parameters and of bcrypt cost 12', () => {
    expect(REFERENCE_HASHES.map(hashFamily)).toEqual(['$argon2id$v=19$m=65536,t=3,p=4', '$2b$12']);
  });

  it('pads a failure to the slowest reference family, measured in this process', async () => {
    const slow = bcrypt.hashSync('discarded', 10);
    const timing = createLoginTiming({ references: [slow] });
    const floor = await timing.floorMs();
    const bcryptMs = await elapsed(() => bcrypt.compare('guess', slow));
    // The floor is the measured bcrypt time plus a margin: well above the dummy's few ms.
    expect(floor).toBeGreaterThan(bcryptMs * 0.8);
    const startedAt = performance.now();
    await timing.verify(undefined, 'guess');
    await timing.padFailure(startedAt);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(floor - 1);
  });

  it('raises the floor for a family it meets that no reference covers', async () => {
    const timing = createLoginTiming({ references: [] });
    const before = await timing.floorMs();
    const unseen = bcrypt.hashSync('discarded', 10);
    const result = await timing.verify(unseen, 'guess');
    expect(result).toEqual({ ok: false, needsRehash: false });
    expect(await timing.floorMs()).toBeGreaterThan(before * 3);
  });

  it('never delays a failure that already took longer than the floor', async () => {
    let slept = 0;
    const timing = createLoginTiming({
      references: [],
      sleep: async (ms) => {
        slept += ms;
      },
    });
    await timing.padFailure(performance.now() - 60_000);
    expect(slept).toBe(0);
    await timing.padFailure(performance.now());
    expect(slept).toBeGreaterThan(0);
  });

  it('verifies the account’s own hash when there is one', async () => {
    const timing = createLoginTiming({ references: [] });
    const stored = await hashPassword('right');
    expect(await timing.verify(stored, 'right')).toEqual({ ok: true, needsRehash: false });
    expect((await timing.verify(stored, 'wrong')).ok).toBe(false);
  });
});
