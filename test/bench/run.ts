/**
 * `npm run bench [-- --only store,api] [--rows N]`: runs each benchmark module in turn. Every
 * module prints its own table of measurements with ratios against a baseline from the same run.
 */
import '../../lib/local/polyfills.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface BenchArgs {
  rows?: number;
  argv: string[];
}

const BENCHES = ['store', 'api', 'pipeline', 'bundles', 'migrate'] as const;

function parseArgs(argv: string[]): { only: string[]; args: BenchArgs } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only')?.split(',') ?? [...BENCHES];
  const unknown = only.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`Unknown benchmark ${unknown.join(', ')}: choose from ${BENCHES.join(', ')}.`);
  }
  const rows = value('--rows');
  if (rows !== undefined && !/^\d+$/.test(rows)) throw new Error(`--rows takes a whole number, got ${rows}.`);
  return { only, args: { argv, ...(rows ? { rows: Number(rows) } : {}) } };
}

async function main(): Promise<void> {
  const { only, args } = parseArgs(process.argv.slice(2));
  console.log(`# Benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  for (const name of only) {
    const module = (await import(`./${name}.bench.ts`)) as { run(args: BenchArgs): Promise<void> };
    console.log(`\n## ${name}\n`);
    const started = performance.now();
    await module.run(args);
    console.log(`\n(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
