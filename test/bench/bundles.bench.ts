/**
 * Bundle benchmark: per function, the size of the deployed bundle (esbuild with the stack's own
 * settings, stacks/constructs/app-function.ts BUNDLE) and its module-init time, against a naive
 * package of the same handler measured in the same run.
 *
 * "Naive" = what deploying without a bundler ships: the handler's own code compiled as is
 * (esbuild, `packages: 'external'`, no minification) plus node_modules of every production
 * dependency in package.json, as `npm ci --omit=dev` installs them (the lock file's non-dev
 * packages present on disk; the host's native binaries stand in for arm64 ones of similar size).
 * Its size is that code plus those node_modules; its init loads packages from node_modules.
 *
 * Init time = `await import(handler)` inside a fresh `node` process (process start excluded),
 * median of --runs (default 5) runs, the measurements interleaved. The deployed bundle is timed
 * as deployed (`--enable-source-maps`, from the functions' NODE_OPTIONS, which parses the source
 * map at load) and without it, to show what readable stack traces cost. Runs on this machine's
 * Node, not Lambda's. `npx tsx test/bench/bundles.bench.ts [--runs N]` runs it alone.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLE, PROJECT_ROOT } from '../../stacks/constructs/app-function.js';
import { ARGON2, stageNativePackage } from '../../stacks/constructs/native-package.js';
import { type BenchArgs, numberFlag, runIfMain } from './args.js';

const exec = promisify(execFile);

interface Row {
  name: string;
  bundleBytes: number;
  deployedBytes: number;
  naiveBytes: number;
  /** As deployed: NODE_OPTIONS=--enable-source-maps parses the bundle's map at load. */
  initMs: number;
  initNoMapsMs: number;
  naiveInitMs: number;
}

/** Every handler file under functions/. */
function handlerFiles(dir = join(PROJECT_ROOT, 'functions')): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? handlerFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .filter((file) => file.endsWith('.ts'))
    .sort();
}

/** Bytes of every file under a directory (symlinks not followed). */
function directoryBytes(path: string): number {
  const stats = lstatSync(path);
  if (!stats.isDirectory()) return stats.isFile() ? stats.size : 0;
  return readdirSync(path).reduce((sum, name) => sum + directoryBytes(join(path, name)), 0);
}

/** node_modules of the production dependency closure, as the lock file lists it. */
function productionNodeModulesBytes(): number {
  const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  let total = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.link) continue;
    const dir = join(PROJECT_ROOT, path);
    if (!existsSync(dir)) continue; // optional binaries for other platforms
    // Nested node_modules are lock entries of their own: count each package once.
    total += readdirSync(dir)
      .filter((name) => name !== 'node_modules')
      .reduce((sum, name) => sum + directoryBytes(join(dir, name)), 0);
  }
  return total;
}

const ENV = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  APP_ENV: 'aws',
  TRANSCRIBER: 'aws',
  DYNAMODB_TABLE: 'bench',
  AUDIO_BUCKET: 'bench',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bench',
  JWT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench',
};

/** Milliseconds of `await import(file)` in a fresh process started with `nodeFlags`. */
async function importMs(file: string, nodeFlags: string[] = []): Promise<number> {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now() - t);`;
  const { stdout } = await exec(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { env: ENV });
  return Number(stdout.trim());
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** Builds both variants of every handler and measures them. */
export async function measureBundles(args: BenchArgs): Promise<Row[]> {
  const runs = numberFlag(args.argv, '--runs', 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number ≥ 1.');

  // Under the project so that externals resolve from its node_modules, as /var/task/node_modules would.
  const work = join(PROJECT_ROOT, 'node_modules', '.cache', 'bundle-bench');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const nativeBytes = directoryBytes(join(stageNativePackage(PROJECT_ROOT, ARGON2, 'arm64'), 'node_modules'));
  const nodeModulesBytes = productionNodeModulesBytes();

  const rows: Row[] = [];
  for (const entry of handlerFiles()) {
    const name = relative(join(PROJECT_ROOT, 'functions'), entry).replace(/\.ts$/, '');
    const ours = join(work, 'ours', name, 'index.mjs');
    const naive = join(work, 'naive', name, 'index.mjs');
    await build({
      entryPoints: [entry],
      outfile: ours,
      bundle: true,
      logLevel: 'silent',
      platform: BUNDLE.platform,
      format: BUNDLE.format,
      target: BUNDLE.target,
      minify: BUNDLE.minify,
      sourcemap: BUNDLE.sourcemap,
      sourcesContent: BUNDLE.sourcesContent,
      mainFields: [...BUNDLE.mainFields],
      banner: { js: BUNDLE.banner },
      external: [...BUNDLE.external],
    });
    await build({
      entryPoints: [entry],
      outfile: naive,
      bundle: true,
      packages: 'external',
      logLevel: 'silent',
      platform: 'node',
      format: 'esm',
      target: BUNDLE.target,
    });
    const bundleBytes = statSync(ours).size;
    const usesArgon2 = readFileSync(ours, 'utf8').includes(`"${ARGON2.loader}"`);
    const initMs: number[] = [];
    const initNoMapsMs: number[] = [];
    const naiveInitMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      initMs.push(await importMs(ours, ['--enable-source-maps']));
      initNoMapsMs.push(await importMs(ours));
      naiveInitMs.push(await importMs(naive));
    }
    rows.push({
      name,
      bundleBytes,
      // The zip holds index.mjs (+ its source map, not loaded unless an error is mapped) and argon2 if imported.
      deployedBytes: bundleBytes + (usesArgon2 ? nativeBytes : 0),
      naiveBytes: statSync(naive).size + nodeModulesBytes,
      initMs: median(initMs),
      initNoMapsMs: median(initNoMapsMs),
      naiveInitMs: median(naiveInitMs),
    });
  }
  rmSync(work, { recursive: true, force: true });
  return rows;
}

/** Prints the table (`npm run bench -- --only bundles`). */
export async function run(args: BenchArgs): Promise<void> {
  const rows = await measureBundles(args);
  console.log(`Node ${process.version} on ${process.arch}; init = median import time in a fresh process.\n`);
  console.log(
    '| function | bundle (min JS) | deployed (JS + argon2) | naive (code + prod node_modules) | size ratio | init (as deployed, source maps on) | init without source maps | naive init | init ratio |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${kb(row.bundleBytes)} | ${kb(row.deployedBytes)} | ${kb(row.naiveBytes)} | ${(row.deployedBytes / row.naiveBytes).toFixed(3)} | ${row.initMs.toFixed(0)} ms | ${row.initNoMapsMs.toFixed(0)} ms | ${row.naiveInitMs.toFixed(0)} ms | ${(row.initMs / row.naiveInitMs).toFixed(2)} |`,
    );
  }
  const worstSize = Math.max(...rows.map((r) => r.deployedBytes / r.naiveBytes));
  const worstInit = Math.max(...rows.map((r) => r.initMs));
  console.log(
    `\nGoals: every deployed bundle ≤ 1/3 of naive (worst ${worstSize.toFixed(3)}: ${worstSize <= 1 / 3 ? 'met' : 'NOT met'}); init ≤ 100 ms (worst ${worstInit.toFixed(0)} ms: ${worstInit <= 100 ? 'met' : 'NOT met'}).`,
  );
}

runIfMain(import.meta, run);
