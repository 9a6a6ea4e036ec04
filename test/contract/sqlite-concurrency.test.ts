import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';

const WRITERS = 50;
const FILES_PER_WRITER = 6;
const nativeModule = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Each writer is a worker thread with its own connection to the same file, so locks are really
 * contended (one thread could never contend with itself: better-sqlite3 is synchronous). All of
 * them open the store (racing the migrations of a fresh file), wait at a barrier, then write.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const barrier = new Int32Array(workerData.barrier);
// The negative control: the same threads on raw connections without a busy timeout.
function control() {
  const Database = require(workerData.nativeModule);
  const db = new Database(workerData.file, { timeout: 0 });
  Atomics.add(barrier, 1, 1);
  Atomics.wait(barrier, 0, 0);
  let busy = 0;
  for (let i = 0; i < 30; i++) {
    try {
      db.transaction(() => db.prepare('INSERT INTO t VALUES (?)').run(i)).immediate();
    } catch (error) {
      if (String(error.code).startsWith('SQLITE_BUSY')) busy++;
      else throw error;
    }
  }
  db.close();
  parentPort.postMessage({ done: true, busy, errors: [] });
}

(async () => {
  if (workerData.control) return control();
  const { openSqliteStore } = require(workerData.bundle);
  const errors = [];
  const capture = async (what, work) => {
    try { return await work(); } catch (error) { errors.push(what + ': ' + (error && (error.code || error.name)) + ' ' + (error && error.message)); }
  };
  const store = await capture('open', () => openSqliteStore(workerData.file));
  Atomics.add(barrier, 1, 1);
  Atomics.wait(barrier, 0, 0);
  let userId;
  if (store) {
    const n = workerData.index;
    const user = await capture('createUser', () => store.createUser({ username: 'writer' + n, hashedPassword: 'h' }));
    userId = user && user.userId;
    for (let i = 0; i < workerData.files; i++) {
      const filename = 'w' + n + '-f' + i + '.mp3';
      await capture('upsert', () => store.upsertAudioFile({ filename, size: i + 1, duration: 1, sequencer: 'A' + i }));
      await capture('processing', () => store.setTranscriptStatus({ filename, status: 'processing' }));
      await capture('completed', () => store.updateTranscript({ filename, transcript: 'words ' + n, status: 'completed' }));
    }
    // Everyone also fights over one shared row: exactly one pending → processing may win.
    await capture('shared', () => store.upsertAudioFile({ filename: 'shared.mp3', size: 1, sequencer: 'B0' }));
    await store.setTranscriptStatus({ filename: 'shared.mp3', status: 'processing' }).then(
      () => parentPort.postMessage({ won: true }),
      (error) => { if (error.name !== 'InvalidTransitionError') errors.push('shared race: ' + error.message); },
    );
    await store.close();
  }
  parentPort.postMessage({ done: true, userId, errors });
})().catch((error) => {
  Atomics.add(barrier, 1, 1);
  parentPort.postMessage({ done: true, errors: ['worker: ' + error.stack] });
});
`;

/**
 * The store compiled once into one CommonJS file (better-sqlite3 left to node_modules), so 50
 * workers start in milliseconds instead of each transpiling the TypeScript sources.
 */
async function bundleStore(dir: string): Promise<string> {
  const outfile = join(dir, 'store.cjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../../lib/store/sqlite/index.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    plugins: [
      {
        name: 'native-from-node-modules',
        setup(plugin) {
          plugin.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: nativeModule, external: true }));
        },
      },
    ],
  });
  return outfile;
}

interface Result {
  userId?: number;
  busy?: number;
  errors: string[];
}

/** Starts WRITERS threads on `file`, releases them together once all are ready, collects results. */
async function runWriters(data: Record<string, unknown>): Promise<{ results: Result[]; wins: number }> {
  const barrier = new SharedArrayBuffer(8);
  const flags = new Int32Array(barrier);
  let wins = 0;
  const workers = Array.from(
    { length: WRITERS },
    (_, index) => new Worker(WORKER, { eval: true, workerData: { ...data, barrier, index, nativeModule } }),
  );
  const finished = workers.map(
    (worker) =>
      new Promise<Result>((done, fail) => {
        worker.on('message', (message: { done?: boolean; won?: boolean } & Result) => {
          if (message.won) wins++;
          if (message.done) done(message);
        });
        worker.on('error', fail);
      }),
  );
  try {
    while (Atomics.load(flags, 1) < WRITERS) await new Promise((r) => setTimeout(r, 20));
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    return { results: await Promise.all(finished), wins };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

describe('SQLite under 50 concurrent writer threads', () => {
  let dir: string;
  let file: string;
  let results: Result[];
  let wins: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-concurrency-'));
    file = join(dir, 'shared.db');
    ({ results, wins } = await runWriters({ file, files: FILES_PER_WRITER, bundle: await bundleStore(dir) }));
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the harness really contends: raw connections without a busy timeout hit SQLITE_BUSY', async () => {
    const controlFile = join(dir, 'control.db');
    const setup = new Database(controlFile);
    setup.pragma('journal_mode = WAL');
    setup.exec('CREATE TABLE t (x)');
    setup.close();
    const control = await runWriters({ file: controlFile, control: true });
    expect(control.results.flatMap((r) => r.errors)).toEqual([]);
    expect(control.results.reduce((sum, r) => sum + (r.busy ?? 0), 0)).toBeGreaterThan(0);
  }, 60_000);

  it('no caller of the store sees SQLITE_BUSY or any other error', () => {
    expect(results).toHaveLength(WRITERS);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
  });

  it('every write landed exactly once, with distinct user ids', async () => {
    const ids = results.map((r) => r.userId);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(new Set(ids).size).toBe(WRITERS);

    const store = openSqliteStore(file);
    try {
      expect(await store.userCount()).toBe(WRITERS);
      const db = new Database(file, { readonly: true });
      const rows = db
        .prepare(
          `SELECT transcript_status AS status, count(*) AS n FROM audio_files WHERE filename LIKE 'w%' GROUP BY 1`,
        )
        .all();
      const migrations = db.prepare('SELECT count(*) AS n FROM schema_migrations GROUP BY version HAVING n > 1').all();
      db.close();
      expect(rows).toEqual([{ status: 'completed', n: WRITERS * FILES_PER_WRITER }]);
      expect(migrations).toEqual([]);
      // The search index kept step with every concurrent insert.
      const hits = await store.searchAudioFiles('-f0.mp3', { limit: 100 });
      expect(hits.items).toHaveLength(WRITERS);
    } finally {
      await store.close();
    }
  });

  it('exactly one writer won the shared pending → processing transition', () => {
    expect(wins).toBe(1);
  });
});
