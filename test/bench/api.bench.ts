/**
 * API benchmark: median and p99 latency of login, session and audio list through the local HTTP
 * server (the same handlers as in AWS, on SQLite) at a fixed concurrency, against the health route
 * as the baseline of the same run (HTTP + event mapping + Middy, no auth, no store); plus the cost
 * of one password verify. `npx tsx test/bench/api.bench.ts [--requests N] [--concurrency C]` runs it
 * alone; `npm run bench` runs it with the others.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, verifyPassword } from '../../lib/auth/passwords.js';
import { startLocal } from '../../lib/local/start.js';
import { type BenchArgs, numberFlag, runIfMain } from './args.js';

interface Stats {
  name: string;
  requests: number;
  median: number;
  p99: number;
  perSecond: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `total` requests with `concurrency` in flight; every response must have the expected status. */
async function measure(
  name: string,
  total: number,
  concurrency: number,
  request: () => Promise<Response>,
  expected: number,
): Promise<Stats> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      const res = await request();
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== expected) throw new Error(`${name}: expected ${expected}, got ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: total,
    median: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: total / elapsed,
  };
}

export async function run(args: BenchArgs = { argv: [] }): Promise<void> {
  const requests = numberFlag(args.argv, '--requests', 200);
  const concurrency = numberFlag(args.argv, '--concurrency', 8);
  const rows = numberFlag(args.argv, '--list-rows', 500);
  const dir = await mkdtemp(join(tmpdir(), 'api-bench-'));
  const password = 'benchmark admin password';
  const stack = await startLocal({
    env: { DATA_DIR: dir, LOG_LEVEL: 'SILENT', APP_ENV: 'local', ADMIN_PASSWORD: password },
    port: 0,
    log: () => {},
  });
  try {
    const base = stack.urls.api!;
    for (let i = 0; i < rows; i++) {
      await stack.deps.store.upsertAudioFile({ filename: `track ${String(i).padStart(5, '0')}.mp3`, size: 1000 + i });
    }
    // One account per request in flight: the login throttle counts an attempt before its password
    // is checked, so more than a few concurrent logins to one account from one address get 429 by
    // design; logins spread over accounts, as many users behind one address would be.
    const hashedPassword = await hashPassword(password);
    const logins = await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        await stack.deps.store.createUser({ username: `bench-${i}`, hashedPassword });
        return JSON.stringify({ username: `bench-${i}`, password });
      }),
    );
    let nextLogin = 0;
    const login = () =>
      fetch(`${base}/api/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: logins[nextLogin++ % logins.length],
      });
    const { access_token: token } = (await (await login()).json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token}` };

    const scenarios: Array<[string, number, () => Promise<Response>]> = [
      ['health (baseline)', requests, () => fetch(`${base}/api/health`)],
      ['session', requests, () => fetch(`${base}/api/user/session`, { headers: auth })],
      ['audio list (50/page)', requests, () => fetch(`${base}/api/audio/list?limit=50`, { headers: auth })],
      ['login (argon2id verify)', Math.max(concurrency, Math.floor(requests / 4)), login],
    ];
    // Warm-up at full concurrency (imports, JIT, keep-alive connections), not recorded.
    for (const [name, , request] of scenarios) await measure(name, concurrency * 4, concurrency, request, 200);

    const results: Stats[] = [];
    for (const [name, total, request] of scenarios) results.push(await measure(name, total, concurrency, request, 200));

    const stored = await hashPassword(password);
    const verifies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await verifyPassword(stored, password);
      verifies.push(performance.now() - t0);
    }
    verifies.sort((a, b) => a - b);

    const baseline = results[0]!;
    console.log(`Local server on SQLite, ${rows} audio rows, concurrency ${concurrency}.\n`);
    console.log('| route | requests | median ms | p99 ms | req/s | median vs health |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.requests} | ${r.median.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.perSecond.toFixed(0)} | ${(r.median / baseline.median).toFixed(1)}× |`,
      );
    }
    const verifyMedian = percentile(verifies, 50);
    console.log(
      `\nOne argon2id verify (m=19456, t=2, p=1), alone: median ${verifyMedian.toFixed(1)} ms, p99 ${percentile(verifies, 99).toFixed(1)} ms over ${verifies.length} runs (${(verifyMedian / baseline.median).toFixed(1)}× the health median).`,
    );
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta, run);
