/**
 * Live status by polling with backoff (the API has no push channel): fast while something is
 * moving, doubling up to a ceiling while nothing changes, paused while the tab is hidden. One
 * timer, never two requests at once — no busy loop.
 */

export interface Backoff {
  /** First and fastest delay. */
  minMs: number;
  /** Ceiling while nothing changes. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { minMs: 1000, maxMs: 30_000 };

/**
 * The delay before the next poll: back to the fastest when the last poll saw a change or work is
 * in flight (a file pending or processing, an upload running); otherwise twice the last delay.
 */
export function nextDelay(previousMs: number, busy: boolean, backoff: Backoff = DEFAULT_BACKOFF): number {
  if (busy) return backoff.minMs;
  return Math.min(backoff.maxMs, Math.max(backoff.minMs, previousMs * 2));
}

export interface Poller {
  /** Poll now and go back to the fastest pace (after a user action). */
  poke(): void;
  stop(): void;
}

interface Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Runs `tick` (which answers whether it is busy) on the backoff schedule until stopped. `visible`
 * and `onVisibility` let a page pause while hidden; a poke or becoming visible polls at once.
 */
export function startPoller(
  tick: () => Promise<boolean>,
  options: {
    backoff?: Backoff;
    clock?: Clock;
    visible?: () => boolean;
    onVisibility?: (listener: () => void) => () => void;
  } = {},
): Poller {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const clock: Clock = options.clock ?? {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const visible = options.visible ?? (() => true);
  let delay = backoff.minMs;
  let timer: unknown;
  let running = false;
  let again = false;
  let stopped = false;

  const schedule = () => {
    if (stopped || !visible()) return;
    clock.clearTimeout(timer);
    timer = clock.setTimeout(run, delay);
  };
  const run = async () => {
    timer = undefined;
    if (stopped) return;
    if (running) {
      again = true; // a poke during a request: poll once more right after it
      return;
    }
    running = true;
    let busy = false;
    try {
      busy = await tick();
    } catch {
      busy = false; // a failed poll backs off like a quiet one; the page shows the error
    }
    running = false;
    delay = again ? backoff.minMs : nextDelay(delay, busy, backoff);
    if (again) {
      again = false;
      void run();
      return;
    }
    schedule();
  };
  const offVisibility = options.onVisibility?.(() => {
    if (visible()) {
      delay = backoff.minMs;
      void run();
    } else {
      clock.clearTimeout(timer);
      timer = undefined;
    }
  });
  void run();
  return {
    poke: () => {
      delay = backoff.minMs;
      clock.clearTimeout(timer);
      void run();
    },
    stop: () => {
      stopped = true;
      clock.clearTimeout(timer);
      offVisibility?.();
    },
  };
}
