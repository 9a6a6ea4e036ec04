import { describe, expect, it } from 'vitest';
import { createMemoryThrottle } from '../../../lib/auth/throttle.js';
import { TooManyRequestsError } from '../../../lib/errors.js';

describe('login throttle', () => {
  const setup = () => {
    let clock = 1_000_000;
    const throttle = createMemoryThrottle({ perMinute: 10, perHour: 100, maxAccounts: 5 }, () => clock);
    return { throttle, advance: (ms: number) => (clock += ms) };
  };

  it('allows 10 failures a minute, then refuses with a Retry-After, then allows again', async () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < 10; i++) {
      await throttle.assertAllowed('alice');
      await throttle.recordFailure('alice');
    }
    const error = await throttle.assertAllowed('alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect((error as TooManyRequestsError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as TooManyRequestsError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await expect(throttle.assertAllowed('bob')).resolves.toBeUndefined();
    advance(61_000);
    await expect(throttle.assertAllowed('alice')).resolves.toBeUndefined();
  });

  it('caps failures at 100 an hour and lifts the cap when the hour has passed (no permanent lock-out)', async () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < 100; i++) {
      await throttle.assertAllowed('alice');
      await throttle.recordFailure('alice');
      advance(6_500); // ~9 a minute: under the minute limit
    }
    await expect(throttle.assertAllowed('alice')).rejects.toBeInstanceOf(TooManyRequestsError);
    advance(61_000);
    await expect(throttle.assertAllowed('alice')).rejects.toBeInstanceOf(TooManyRequestsError);
    advance(60 * 60_000);
    await expect(throttle.assertAllowed('alice')).resolves.toBeUndefined();
  });

  it('forgets failures after a successful login', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 10; i++) await throttle.recordFailure('alice');
    await throttle.reset('alice');
    await expect(throttle.assertAllowed('alice')).resolves.toBeUndefined();
  });

  it('bounds memory by dropping the oldest accounts', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 10; i++) await throttle.recordFailure('victim');
    for (let i = 0; i < 5; i++) await throttle.recordFailure(`noise-${i}`);
    await expect(throttle.assertAllowed('victim')).resolves.toBeUndefined();
  });
});
