/**
 * Progress for long runs: a one-line bar redrawn in place (count, rate, ETA) when stderr is a
 * terminal, plain lines at most every few seconds otherwise (CI logs, files), nothing when quiet.
 */

export interface Progress {
  /** Starts a phase with a known total (rows to read). */
  start(label: string, total: number): void;
  /** Adds `n` done units to the current phase. */
  tick(n: number): void;
  /** Ends the current phase with a final line. */
  done(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Overrides stream.isTTY (tests). */
  tty?: boolean;
  quiet?: boolean;
  /** Minimum ms between plain lines (default 5000). */
  intervalMs?: number;
  now?: () => number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Formats one progress line: `label [####----] 1200/5000 24% 850/s ETA 4s`. */
export function formatProgress(label: string, done: number, total: number, elapsedMs: number, width = 24): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  return `${label} ${bar} ${done}/${total} ${Math.floor(ratio * 100)}% ${Math.round(rate)}/s ETA ${done >= total ? '0s' : duration(eta)}`;
}

/** Creates a progress reporter on stderr (or the given stream). */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean((stream as { isTTY?: boolean }).isTTY);
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 5_000;
  let label = '';
  let total = 0;
  let count = 0;
  let started = 0;
  let lastPrint = 0;

  const line = () => formatProgress(label, count, total, now() - started);
  const print = (final: boolean) => {
    if (options.quiet) return;
    if (tty) {
      stream.write(`\r\x1b[2K${line()}${final ? '\n' : ''}`);
    } else if (final || now() - lastPrint >= interval) {
      stream.write(`${line()}\n`);
      lastPrint = now();
    }
  };
  return {
    start(name, size) {
      label = name;
      total = size;
      count = 0;
      started = now();
      lastPrint = started;
    },
    tick(n) {
      count += n;
      print(false);
    },
    done() {
      print(true);
    },
  };
}
