/**
 * Store benchmark: items read (DynamoDB adapter on dynalite) per list page and per search page
 * (filename and transcript word) against the seed's full Scan with a filter, measured in the same
 * run (store-search.ts), with transcript-word searches up to 100,000 rows; the write cost of
 * storing a transcript of 1,000, 5,000 and 20,000 words; and single-operation latency medians of
 * both adapters. `npx tsx test/bench/store.bench.ts --rows 2000,20000 --transcript-rows
 * 20000,100000` runs it alone; `npm run bench` runs it with the others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite } from '../../lib/local/dynalite.js';
import { transcriptPrefixes, transcriptWords } from '../../lib/model/search-terms.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';
import { type BenchArgs, numberListFlag, runIfMain } from './args.js';
import { type CaseResult, measureAt, measureTranscriptSearch, PAGE } from './store-search.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function time(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    samples.push(performance.now() - t);
  }
  return median(samples);
}

/**
 * Where a size was measured on the full table and on the transcript-search table, the counts must
 * be the same: the filename entries left out of the latter are never read by those queries.
 */
function checkSameReads(full: CaseResult[], reduced: CaseResult[]): void {
  for (const r of reduced) {
    const f = full.find((candidate) => candidate.label === r.label && candidate.rows === r.rows);
    if (!f) continue;
    if (f.index.items !== r.index.items || f.seed.items !== r.seed.items) {
      throw new Error(
        `${r.label} at ${r.rows} rows read ${f.index.items} items with every search entry but ${r.index.items} without the unread filename entries: the transcript-search table is not equivalent.`,
      );
    }
    console.log(
      `Checked at ${r.rows} rows: "${r.label}" reads ${r.index.items} items with or without the filename entries it never reads.`,
    );
  }
}

/**
 * Median latency (ms) of single Store operations, on any adapter: the same list for every Store
 * so the numbers compare. Creates its own user and files (names prefixed `bench-latency`).
 */
export async function latencyMedians(store: Store, samples = 100): Promise<Record<string, number>> {
  const user = await store.createUser({ username: `bench-latency-${Date.now()}`, hashedPassword: 'h' });
  const name = (i: number) => `bench-latency ${String(i).padStart(5, '0')}.mp3`;
  const out: Record<string, number> = {};
  out.upsertAudioFile_new = await time(samples, (i) =>
    store.upsertAudioFile({ filename: name(i), size: 1, duration: 1 }),
  );
  out.getAudioFile = await time(samples, (i) => store.getAudioFile(name(i)));
  out.getUser = await time(samples, () => store.getUser(user.username));
  out.getUserById = await time(samples, () => store.getUserById(user.userId));
  out.setTranscriptStatus = await time(samples, (i) =>
    store.setTranscriptStatus({ filename: name(i), status: 'processing' }),
  );
  out.updateTranscript = await time(samples, (i) =>
    store.updateTranscript({ filename: name(i), transcript: 'words', status: 'completed' }),
  );
  out.listAudioFiles_page = await time(samples, () => store.listAudioFiles({ limit: PAGE }));
  out.searchAudioFiles_page = await time(samples, () => store.searchAudioFiles('latency 000', { limit: PAGE }));
  return out;
}

/** A deterministic transcript of `count` words: pseudo-words drawn with Zipf frequencies, like speech. */
export function zipfTranscript(count: number, seed = 42): string {
  let state = seed;
  const random = () => {
    // mulberry32: a small seeded generator, so every run stores the same text.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const syllables = ['ka', 'lo', 'mi', 'ter', 'an', 'sho', 'ru', 'bel', 'in', 'gra', 'do', 've', 'nus', 'pal', 'ti'];
  const vocabulary = Array.from({ length: 20_000 }, (_, rank) => {
    let word = '';
    for (let n = rank + 1; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
    return word;
  });
  const weights = vocabulary.map((_, rank) => 1 / (rank + 1) ** 1.07);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    cumulative.push(sum / total);
  }
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < r) lo = mid + 1;
      else hi = mid;
    }
    words.push(vocabulary[lo] as string);
  }
  return words.join(' ');
}

interface WriteCost {
  words: number;
  distinct: number;
  prefixes: number;
  requests: Record<string, number>;
  items: number;
  capacity: number;
  ms: number;
}

/** Requests, items written and write capacity of storing one transcript of each length. */
async function transcriptWriteCost(lengths: number[]): Promise<WriteCost[]> {
  const dynamo = await startDynalite();
  const client = dynamo.client();
  let current: WriteCost | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (current) input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      if (current) {
        const op = context.commandName?.replace(/Command$/, '') ?? 'unknown';
        current.requests[op] = (current.requests[op] ?? 0) + 1;
        const batch = input.RequestItems as Record<string, unknown[]> | undefined;
        current.items += batch ? Object.values(batch).reduce((n, r) => n + r.length, 0) : 1;
        const capacity = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity as
          | { CapacityUnits?: number }
          | { CapacityUnits?: number }[]
          | undefined;
        for (const c of Array.isArray(capacity) ? capacity : capacity ? [capacity] : [])
          current.capacity += c.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'benchWriteMeter' },
  );
  try {
    await createTable(client, 'bench-writes');
    const store = createDynamoStore({ client, tableName: 'bench-writes' });
    const costs: WriteCost[] = [];
    for (const words of lengths) {
      const filename = `transcript of ${words} words.mp3`;
      const text = zipfTranscript(words);
      await store.upsertAudioFile({ filename, size: 1, duration: 1 });
      await store.setTranscriptStatus({ filename, status: 'processing' });
      const cost: WriteCost = {
        words,
        distinct: transcriptWords(text).length,
        prefixes: transcriptPrefixes(text).length,
        requests: {},
        items: 0,
        capacity: 0,
        ms: 0,
      };
      current = cost;
      const started = performance.now();
      await store.updateTranscript({ filename, transcript: text, status: 'completed' });
      cost.ms = performance.now() - started;
      current = undefined;
      costs.push(cost);
    }
    return costs;
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

/**
 * Runs the store benchmark: every case at each `--rows` size (default 2,000 and 20,000), the
 * transcript-word searches also at each `--transcript-rows` size (default 20,000 and 100,000),
 * one table so the ratio's growth with the table shows; then the transcript write cost and the
 * single-op latency medians of both adapters.
 */
export async function run(args: BenchArgs): Promise<void> {
  const sizes = numberListFlag(args.argv, '--rows', [2_000, 20_000]);
  const transcriptSizes = numberListFlag(args.argv, '--transcript-rows', [20_000, 100_000]);
  const full: CaseResult[] = [];
  let dynamoLatency: Record<string, number> | undefined;
  for (const rows of sizes) {
    const measured = await measureAt(rows, (store) => latencyMedians(store));
    full.push(...measured.results);
    dynamoLatency = measured.extra;
  }
  const reduced: CaseResult[] = [];
  for (const rows of transcriptSizes) reduced.push(...(await measureTranscriptSearch(rows)));
  checkSameReads(full, reduced);

  const results = [...full, ...reduced.filter((r) => !full.some((f) => f.label === r.label && f.rows === r.rows))];
  console.log('\n| case | rows | items read: index | items read: seed Scan | ratio | RCU: index | RCU: seed Scan |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results.sort((a, b) => a.label.localeCompare(b.label) || a.rows - b.rows)) {
    const ratio = r.index.items > 0 ? (r.seed.items / r.index.items).toFixed(0) : '∞';
    console.log(
      `| ${r.label} | ${r.rows} | ${r.index.items} | ${r.seed.items} | ${ratio}× | ${r.index.capacity.toFixed(1)} | ${r.seed.capacity.toFixed(1)} |`,
    );
  }

  const costs = await transcriptWriteCost(numberListFlag(args.argv, '--words', [1_000, 5_000, 20_000]));
  console.log('\n| storing a transcript of | distinct words | word prefixes | requests | items written | WCU | ms |');
  console.log('|---:|---:|---:|---|---:|---:|---:|');
  for (const c of costs) {
    const requests = Object.entries(c.requests)
      .map(([op, n]) => `${n} ${op}`)
      .join(', ');
    console.log(
      `| ${c.words} words | ${c.distinct} | ${c.prefixes} | ${requests} | ${c.items} | ${c.capacity.toFixed(0)} | ${c.ms.toFixed(0)} |`,
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'store-bench-'));
  const sqlite = openSqliteStore(join(dir, 'bench.db'));
  try {
    const sqliteLatency = await latencyMedians(sqlite);
    console.log(`\n| operation (median of 100) | DynamoDB on dynalite, ${sizes.at(-1)} rows: ms | SQLite file: ms |`);
    console.log('|---|---:|---:|');
    for (const [op, ms] of Object.entries(sqliteLatency)) {
      console.log(`| ${op} | ${dynamoLatency?.[op]?.toFixed(2) ?? '—'} | ${ms.toFixed(3)} |`);
    }
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta, run);
