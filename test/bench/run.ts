/**
 * `npm run bench [-- --only store,api] [flags]`: runs each benchmark module in turn. Every module
 * prints its own table of measurements with ratios against a baseline from the same run, and
 * reads its own flags (`--rows 20000,100000` for store and migrate, `--uploads`, `--runs`, …).
 */
import { type BenchArgs, listFlag } from './args.js';

const BENCHES = ['store', 'api', 'pipeline', 'bundles', 'migrate'] as const;

function selected(argv: string[]): string[] {
  const only = listFlag(argv, '--only', BENCHES);
  const unknown = only.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0 || only.length === 0) {
    throw new Error(`Unknown benchmark ${unknown.join(', ') || '(none)'}: choose from ${BENCHES.join(', ')}.`);
  }
  return only;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const only = selected(argv);
  console.log(`# Benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  for (const name of only) {
    const module = (await import(`./${name}.bench.ts`)) as { run(args: BenchArgs): Promise<void> };
    console.log(`\n## ${name}\n`);
    const started = performance.now();
    await module.run({ argv });
    console.log(`\n(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
