import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** What every benchmark's `run` receives: the command line, each bench reading its own flags. */
export interface BenchArgs {
  argv: string[];
}

/**
 * The value of `--flag` in argv, parsed by node:util.parseArgs. Not strict: the command line also
 * holds the flags of the other benchmarks, which this one leaves alone.
 */
function flagValue(argv: string[], flag: string): string | undefined {
  const name = flag.replace(/^--/, '');
  const { values } = parseArgs({
    args: argv,
    options: { [name]: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`${flag} needs a value.`);
  return value;
}

/** `--flag a[,b…]`: a non-empty list, or the fallback when absent. */
export function listFlag(argv: string[], flag: string, fallback: readonly string[]): string[] {
  const value = flagValue(argv, flag);
  if (value === undefined) return [...fallback];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** `--flag N`: a whole number ≥ 1, or the fallback when absent. */
export function numberFlag(argv: string[], flag: string, fallback: number): number {
  return numberListFlag(argv, flag, [fallback])[0] ?? fallback;
}

/** `--flag N[,N…]`: whole numbers ≥ 1, or the fallback when absent. */
export function numberListFlag(argv: string[], flag: string, fallback: number[]): number[] {
  const value = flagValue(argv, flag);
  if (value === undefined) return fallback;
  const list = value.split(',').map((part) => part.trim());
  if (list.some((part) => !/^[1-9]\d*$/.test(part))) {
    throw new Error(`${flag} takes whole numbers ≥ 1 (e.g. ${flag} 20000,100000), got ${value}.`);
  }
  return list.map(Number);
}

/** Runs a benchmark module on its own (`npx tsx test/bench/x.bench.ts …`) when it is the entry point. */
export function runIfMain(meta: ImportMeta, run: (args: BenchArgs) => Promise<void>): void {
  if (!process.argv[1] || meta.url !== pathToFileURL(process.argv[1]).href) return;
  run({ argv: process.argv.slice(2) }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
