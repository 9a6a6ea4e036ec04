import { pathToFileURL } from 'node:url';

/** What every benchmark's `run` receives: the command line, each bench reading its own flags. */
export interface BenchArgs {
  argv: string[];
}

function flagValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined) throw new Error(`${flag} needs a value.`);
  return value;
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
