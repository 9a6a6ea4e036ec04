/**
 * Bundle benchmark: per function, the deployed bundle (esbuild with the stack's own settings,
 * stacks/constructs/app-function.ts BUNDLE) against a baseline measured in the same run: a
 * minimal handler making the same AWS SDK calls with the same clients and nothing else (clients
 * made at module scope, the usual minimal handler), bundled with the same settings.
 *
 * Per variant, in a fresh `node --enable-source-maps` process (the functions' NODE_OPTIONS):
 * - init: `await import(handler)`, process start excluded;
 * - first call: the first invocation with a recorded event, up to its first AWS request, which
 *   every endpoint refuses (AWS_MAX_ATTEMPTS=1, so no retry waits). Our functions load each SDK
 *   on first use, so part of their cold start moves here; init + first call is the comparable
 *   cold start.
 * Medians of --runs (default 5) runs, interleaved. Runs on this machine's Node, not Lambda's.
 * `npx tsx test/bench/bundles.bench.ts [--runs N]` runs it alone.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLE, PROJECT_ROOT } from '../../stacks/constructs/app-function.js';
import { type BenchArgs, numberFlag, runIfMain } from './args.js';
import { baselineSource, CALLS, firstEvents, JWT_SECRET, LIBRARIES } from './bundle-baseline.js';

const exec = promisify(execFile);

/** A loopback port nothing listens on: every AWS request is refused at once. */
async function refusingEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function environment(endpoint: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_MAX_ATTEMPTS: '1',
    APP_ENV: 'aws',
    TRANSCRIBER: 'aws',
    LOG_LEVEL: 'SILENT',
    DYNAMODB_TABLE: 'bench',
    AUDIO_BUCKET: 'bench',
    STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bench',
    JWT_SECRET,
    DYNAMODB_ENDPOINT: endpoint,
    S3_ENDPOINT: endpoint,
    AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ENDPOINT_URL_TRANSCRIBE: endpoint,
  };
}

interface Timing {
  initMs: number;
  firstCallMs: number;
}

const MARK = 'BENCH-TIMING ';

/** Init and first-call milliseconds of one handler file in a fresh process. */
async function measure(file: string, event: unknown, env: Record<string, string>, flags: string[]): Promise<Timing> {
  const eventFile = `${file}.event.json`;
  writeFileSync(eventFile, JSON.stringify(event));
  const script = `
    import { readFileSync } from 'node:fs';
    const event = JSON.parse(readFileSync(${JSON.stringify(eventFile)}, 'utf8'));
    const context = { awsRequestId: 'bench', functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench', memoryLimitInMB: '512', logGroupName: '/aws/lambda/bench', logStreamName: 'bench', getRemainingTimeInMillis: () => 30000 };
    const t0 = performance.now();
    const m = await import(${JSON.stringify(pathToFileURL(file).href)});
    const t1 = performance.now();
    if (typeof m.handler !== 'function') throw new Error('no handler');
    try { await m.handler(event, context); } catch {}
    const t2 = performance.now();
    console.log(${JSON.stringify(MARK)} + JSON.stringify({ initMs: t1 - t0, firstCallMs: t2 - t1 }));`;
  const { stdout } = await exec(process.execPath, [...flags, '--input-type=module', '-e', script], { env });
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`${file}: no timing printed:\n${stdout}`);
  return JSON.parse(line.slice(MARK.length)) as Timing;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Every handler file under functions/. */
function handlerFiles(dir = join(PROJECT_ROOT, 'functions')): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? handlerFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .filter((file) => file.endsWith('.ts'))
    .sort();
}

/** esbuild with the deployed settings (the same object the CDK construct passes to NodejsFunction). */
function bundle(entry: string, outfile: string) {
  return build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    logLevel: 'silent',
    platform: BUNDLE.platform,
    format: BUNDLE.format,
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    sourcemap: BUNDLE.sourcemap,
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: [...BUNDLE.external],
  });
}

interface Row {
  name: string;
  bytes: number;
  baselineBytes: number;
  ours: Timing;
  baseline: Timing;
}

/** Builds both variants of every handler and measures them. */
export async function measureBundles(args: BenchArgs): Promise<Row[]> {
  const runs = numberFlag(args.argv, '--runs', 5);
  // Under the project so that externals resolve from its node_modules, as /var/task/node_modules would.
  const work = join(PROJECT_ROOT, 'node_modules', '.cache', 'bundle-bench');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const env = environment(await refusingEndpoint());
  const eventsByName = await firstEvents();
  const flags = ['--enable-source-maps'];

  const rows: Row[] = [];
  for (const entry of handlerFiles()) {
    const name = relative(join(PROJECT_ROOT, 'functions'), entry).replace(/\.ts$/, '');
    const calls = CALLS[name];
    if (!calls) throw new Error(`No baseline SDK calls listed for functions/${name}.ts: add it to CALLS.`);
    const ours = join(work, 'ours', name, 'index.mjs');
    const baselineEntry = join(work, 'baseline-src', `${name.replace(/\//g, '-')}.mjs`);
    const baseline = join(work, 'baseline', name, 'index.mjs');
    mkdirSync(join(work, 'baseline-src'), { recursive: true });
    writeFileSync(baselineEntry, baselineSource(calls));
    await bundle(entry, ours);
    await bundle(baselineEntry, baseline);
    const timings: { ours: Timing[]; baseline: Timing[] } = { ours: [], baseline: [] };
    for (let i = 0; i < runs; i++) {
      timings.ours.push(await measure(ours, eventsByName[name], env, flags));
      timings.baseline.push(await measure(baseline, eventsByName[name], env, flags));
    }
    const summarize = (list: Timing[]): Timing => ({
      initMs: median(list.map((t) => t.initMs)),
      firstCallMs: median(list.map((t) => t.firstCallMs)),
    });
    rows.push({
      name,
      bytes: statSync(ours).size,
      baselineBytes: statSync(baseline).size,
      ours: summarize(timings.ours),
      baseline: summarize(timings.baseline),
    });
  }
  rmSync(work, { recursive: true, force: true });
  return rows;
}

/** Size and init of each library of LIBRARIES, bundled and imported alone. */
export async function measureLibraries(args: BenchArgs): Promise<{ name: string; bytes: number; initMs: number }[]> {
  const runs = numberFlag(args.argv, '--runs', 5);
  const work = join(PROJECT_ROOT, 'node_modules', '.cache', 'bundle-bench-libraries');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const env = environment(await refusingEndpoint());
  const result = [];
  for (const [index, [name, source]] of Object.entries(LIBRARIES).entries()) {
    const entry = join(work, `${index}.mjs`);
    const out = join(work, String(index), 'index.mjs');
    writeFileSync(entry, source);
    await bundle(entry, out);
    const inits: number[] = [];
    for (let i = 0; i < runs; i++) inits.push((await measure(out, {}, env, ['--enable-source-maps'])).initMs);
    result.push({ name, bytes: statSync(out).size, initMs: median(inits) });
  }
  rmSync(work, { recursive: true, force: true });
  return result;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
/** A function that makes no SDK call has an empty baseline: no ratio means anything there. */
const hasBaseline = (r: Row) => CALLS[r.name]!.length > 0;
const ratio = (r: Row, a: number, b: number) => (hasBaseline(r) ? `${(a / b).toFixed(2)}×` : '—');

/** Prints the table (`npm run bench -- --only bundles`). */
export async function run(args: BenchArgs): Promise<void> {
  const rows = await measureBundles(args);
  console.log(
    `Node ${process.version} on ${process.arch}; medians of fresh processes with --enable-source-maps; baseline = minimal handler, same SDK calls and clients, same esbuild settings.\n`,
  );
  console.log(
    '| function | bundle | baseline | size ratio | init | baseline init | init ratio | first call | baseline first call | init + first call ratio |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${kb(r.bytes)} | ${kb(r.baselineBytes)} | ${ratio(r, r.bytes, r.baselineBytes)} | ${ms(r.ours.initMs)} | ${ms(r.baseline.initMs)} | ${ratio(r, r.ours.initMs, r.baseline.initMs)} | ${ms(r.ours.firstCallMs)} | ${ms(r.baseline.firstCallMs)} | ${ratio(r, r.ours.initMs + r.ours.firstCallMs, r.baseline.initMs + r.baseline.firstCallMs)} |`,
    );
  }
  const compared = rows.filter(hasBaseline);
  const worst = (f: (r: Row) => number, among = compared) => Math.max(...among.map(f));
  const sizeRatio = worst((r) => r.bytes / r.baselineBytes);
  const initRatio = worst((r) => r.ours.initMs / r.baseline.initMs);
  const coldRatio = worst((r) => (r.ours.initMs + r.ours.firstCallMs) / (r.baseline.initMs + r.baseline.firstCallMs));
  const initMax = worst((r) => r.ours.initMs, rows);
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `\nGoals (ratios over the functions that make SDK calls): size within 2× of the baseline (worst ${sizeRatio.toFixed(2)}×: ${verdict(sizeRatio <= 2)}); init within 2× (worst ${initRatio.toFixed(2)}×: ${verdict(initRatio <= 2)}); init + first call within 2× (worst ${coldRatio.toFixed(2)}×: ${verdict(coldRatio <= 2)}); init ≤ 60 ms (worst ${initMax.toFixed(0)} ms: ${verdict(initMax <= 60)}).`,
  );

  console.log('\nWhat the libraries cost, each bundled with the same settings and imported alone:\n');
  console.log('| library | bundle | init |');
  console.log('|---|---:|---:|');
  for (const library of await measureLibraries(args)) {
    console.log(`| ${library.name} | ${kb(library.bytes)} | ${ms(library.initMs)} |`);
  }
}

runIfMain(import.meta, run);
