import { SingleBar } from 'cli-progress';

/**
 * Progress for long runs, on cli-progress: a bar redrawn in place (count, percentage, rate, ETA)
 * when the stream is a terminal, plain lines at most every few seconds otherwise (CI logs, files),
 * nothing when quiet.
 */

export interface Progress {
  /** Starts a phase with a known (or estimated) total. */
  start(label: string, total: number): void;
  /** Adds `n` done units to the current phase; an estimate that turns out low grows with it. */
  tick(n: number): void;
  /** Ends the current phase with a final line. */
  done(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  quiet?: boolean;
  /** Minimum ms between plain lines when the stream is not a terminal (default 5000). */
  intervalMs?: number;
}

const FORMAT = '{label} [{bar}] {value}/{total} {percentage}% {rate}/s ETA {eta_formatted}';

/** Creates a progress reporter on stderr (or the given stream). */
export function createProgress(options: ProgressOptions = {}): Progress {
  if (options.quiet) return { start() {}, tick() {}, done() {} };
  const stream = options.stream ?? process.stderr;
  let bar: SingleBar | undefined;
  let started = 0;
  let value = 0;
  let total = 0;
  const rate = () => Math.round(value / Math.max(0.001, (Date.now() - started) / 1000));
  return {
    start(label, size) {
      bar?.stop();
      bar = new SingleBar({
        stream,
        format: FORMAT,
        barsize: 24,
        noTTYOutput: true,
        notTTYSchedule: options.intervalMs ?? 5_000,
        etaBuffer: 50,
        // Never install SIGINT handlers in a library: the CLI decides what Ctrl-C does.
        gracefulExit: false,
      });
      started = Date.now();
      value = 0;
      total = Math.max(0, size);
      bar.start(total, 0, { label, rate: 0 });
    },
    tick(n) {
      value += n;
      if (value > total) {
        total = value;
        bar?.setTotal(total);
      }
      bar?.update(value, { rate: rate() });
    },
    done() {
      bar?.update(value, { rate: rate() });
      bar?.stop();
      bar = undefined;
    },
  };
}
