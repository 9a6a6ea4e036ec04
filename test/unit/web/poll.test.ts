import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, nextDelay, startPoller } from '../../../web/src/poll.js';

/** A clock the test advances by hand: every scheduled poll is visible, none runs by itself. */
function manualClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    delays: [] as number[],
    setTimeout(callback: () => void, ms: number) {
      this.delays.push(ms);
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle: unknown) {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    /** Runs the next timer; resolves after the poll it starts has settled. */
    async fire() {
      const [id, timer] = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (!timer || id === undefined) throw new Error('no timer scheduled');
      timers.delete(id);
      now = timer.at;
      timer.callback();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('nextDelay', () => {
  it('doubles while nothing moves, up to the ceiling, and drops to the fastest when busy', () => {
    const { minMs, maxMs } = DEFAULT_BACKOFF;
    let delay = minMs;
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      delay = nextDelay(delay, false);
      seen.push(delay);
    }
    expect(seen).toEqual([2000, 4000, 8000, 16_000, maxMs, maxMs, maxMs, maxMs]);
    expect(nextDelay(maxMs, true)).toBe(minMs);
  });
});

describe('startPoller', () => {
  it('polls at once, then backs off while quiet and speeds up while busy; one timer at a time', async () => {
    const clock = manualClock();
    let busy = false;
    let calls = 0;
    const poller = startPoller(
      async () => {
        calls++;
        return busy;
      },
      { clock, backoff: { minMs: 100, maxMs: 800 } },
    );
    await settle();
    expect(calls).toBe(1);
    for (let i = 0; i < 4; i++) await clock.fire();
    expect(clock.delays).toEqual([200, 400, 800, 800, 800]);
    busy = true;
    await clock.fire();
    await clock.fire();
    expect(clock.delays.slice(-2)).toEqual([100, 100]);
    expect(clock.pending()).toBe(1);
    poller.stop();
    expect(clock.pending()).toBe(0);
    expect(calls).toBe(7);
  });

  it('a poke polls now and resets the pace; a poke during a poll polls once more after it', async () => {
    const clock = manualClock();
    let release: () => void = () => {};
    let calls = 0;
    const poller = startPoller(
      () => {
        calls++;
        return new Promise<boolean>((resolve) => {
          release = () => resolve(false);
        });
      },
      { clock, backoff: { minMs: 100, maxMs: 800 } },
    );
    await settle();
    poller.poke(); // while the first poll is still out
    poller.poke();
    expect(calls).toBe(1);
    release();
    await settle();
    expect(calls).toBe(2); // exactly one catch-up poll, never two requests at once
    release();
    await settle();
    expect(clock.delays.at(-1)).toBe(200);
    poller.stop();
  });

  it('pauses while the page is hidden and polls as soon as it is shown again', async () => {
    const clock = manualClock();
    let visible = true;
    let listener: () => void = () => {};
    let calls = 0;
    const poller = startPoller(
      async () => {
        calls++;
        return false;
      },
      {
        clock,
        backoff: { minMs: 100, maxMs: 800 },
        visible: () => visible,
        onVisibility: (l) => {
          listener = l;
          return () => {};
        },
      },
    );
    await settle();
    visible = false;
    listener();
    expect(clock.pending()).toBe(0);
    visible = true;
    listener();
    await settle();
    expect(calls).toBe(2);
    expect(clock.pending()).toBe(1);
    poller.stop();
  });

  it('a failing poll backs off like a quiet one instead of retrying in a loop', async () => {
    const clock = manualClock();
    const poller = startPoller(
      async () => {
        throw new Error('offline');
      },
      { clock, backoff: { minMs: 100, maxMs: 800 } },
    );
    await settle();
    await clock.fire();
    expect(clock.delays).toEqual([200, 400]);
    poller.stop();
  });
});
