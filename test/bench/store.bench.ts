/**
 * Store benchmark: items read (DynamoDB adapter on dynalite) per list page and per search page
 * (filename and transcript word) against the seed's full Scan with a filter, measured in the same
 * run; the write cost of storing a transcript of 1,000, 5,000 and 20,000 words; and
 * single-operation latency medians of both adapters. `npx tsx test/bench/store.bench.ts --rows 2000,20000` runs it alone; `npm run bench`
 * runs it with the others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '../../lib/local/dynalite.js';
import { filenameTermItems, transcriptTermItems } from '../../lib/model/search.js';
import { transcriptPrefixes, transcriptWords } from '../../lib/model/search-terms.js';
import { createTable } from '../../lib/model/table.js';
import { batchWriteAll, type WriteRequest } from '../../lib/store/dynamo/batch.js';
import { createContext, type DynamoContext } from '../../lib/store/dynamo/context.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';
import { type BenchArgs, numberListFlag, runIfMain } from './args.js';

const PAGE = 50;
const WORDS = ['morning', 'evening', 'podcast', 'interview', 'news', 'lecture', 'music', 'story', 'meeting', 'review'];
/** Every RARE_EVERY-th file carries this word: a 3+ character query with few matches. */
const RARE = 'zebra';
const RARE_EVERY = 500;

/** Spoken words the bench transcripts are made of; RARE_WORD is in one transcript in RARE_EVERY. */
const SPOKEN = ['today', 'we', 'talk', 'about', 'weather', 'music', 'school', 'garden', 'friends', 'travel', 'dinner'];
const RARE_WORD = 'xylophone';

/** A short deterministic transcript for row i (five words). */
export function benchTranscript(i: number): string {
  const pick = (k: number) => SPOKEN[(i * 7 + k * 3) % SPOKEN.length] as string;
  return [pick(0), pick(1), pick(2), i % RARE_EVERY === 1 ? RARE_WORD : pick(3), pick(4)].join(' ');
}

/** Deterministic filenames of realistic length (~25 characters). */
export function benchFilename(i: number): string {
  const a = WORDS[i % WORDS.length] as string;
  const b = i % RARE_EVERY === 0 ? RARE : (WORDS[Math.floor(i / WORDS.length) % WORDS.length] as string);
  return `${a} ${b} ${String(i).padStart(6, '0')}.mp3`;
}

interface Reads {
  items: number;
  capacity: number;
}

/** Sums items read (ScannedCount, BatchGet responses, GetItem hits) and read capacity per call. */
function readMeter(client: DynamoDBClient): { measure<T>(fn: () => Promise<T>): Promise<Reads> } {
  let current: Reads | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (current) input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      if (current) {
        const out = result.output as unknown as Record<string, unknown>;
        const responses = out.Responses as Record<string, unknown[]> | undefined;
        current.items +=
          typeof out.ScannedCount === 'number'
            ? out.ScannedCount
            : responses
              ? Object.values(responses).reduce((n, r) => n + r.length, 0)
              : out.Item
                ? 1
                : 0;
        const capacity = out.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
        for (const c of Array.isArray(capacity) ? capacity : capacity ? [capacity] : [])
          current.capacity += c.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'benchReadMeter' },
  );
  return {
    async measure(fn) {
      current = { items: 0, capacity: 0 };
      try {
        await fn();
        return current;
      } finally {
        current = undefined;
      }
    },
  };
}

/**
 * Loads `rows` audio rows with parallel BatchWriteItem calls: with their search entries for our
 * table, or rows only for the seed-shaped baseline table (the seed had no index items).
 */
async function load(ctx: DynamoContext, rows: number, withIndex: boolean): Promise<number> {
  const now = new Date().toISOString();
  let written = 0;
  const chunk = 500;
  for (let start = 0; start < rows; start += chunk) {
    const requests: WriteRequest[] = [];
    for (let i = start; i < Math.min(rows, start + chunk); i++) {
      const filename = benchFilename(i);
      const transcript = benchTranscript(i);
      const row = {
        filename,
        size: 1_000 + i,
        duration: 60,
        transcript,
        transcript_status: 'completed',
        created_at: now,
        updated_at: now,
      };
      const parts = [
        ctx.audio.put([row]).params(),
        ...(withIndex
          ? [ctx.term.put([...filenameTermItems(filename), ...transcriptTermItems(filename, transcript)]).params()]
          : []),
      ];
      for (const batch of parts as unknown as {
        RequestItems: Record<string, WriteRequest[]>;
      }[][]) {
        for (const b of batch) requests.push(...(b.RequestItems[ctx.tableName] ?? []));
      }
    }
    await batchWriteAll(ctx, requests);
    written += requests.length;
  }
  return written;
}

/** The seed's way: one full Scan of the table with a filter, all pages. */
async function seedScan(ctx: DynamoContext, filter: string, values: Record<string, unknown>): Promise<number> {
  let start: Record<string, unknown> | undefined;
  let matched = 0;
  do {
    const page = await ctx.doc.send(
      new ScanCommand({
        TableName: ctx.tableName,
        FilterExpression: filter,
        ExpressionAttributeValues: values,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    matched += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return matched;
}

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

interface CaseResult {
  label: string;
  rows: number;
  index: Reads;
  seed: Reads;
}

/** Loads `rows` audio rows into a fresh dynalite and measures each case against the seed's Scan. */
async function measureAt(rows: number): Promise<{ results: CaseResult[]; latency?: Record<string, number> }> {
  const dynamo = await startDynalite();
  const client = dynamo.client();
  try {
    const tableName = 'bench-store';
    await createTable(client, tableName);
    await createTable(client, 'bench-seed');
    const ctx = createContext(client, tableName);
    const seedCtx = createContext(client, 'bench-seed');
    const store = createDynamoStore({ client, tableName });
    const meter = readMeter(client);

    const started = performance.now();
    const items = await load(ctx, rows, true);
    const loadSeconds = (performance.now() - started) / 1000;
    await load(seedCtx, rows, false);
    console.log(
      `Loaded ${rows} audio rows: ${items} items with search entries in ${loadSeconds.toFixed(1)} s; the seed-shaped baseline table holds the ${rows} rows only.`,
    );
    // Cursor of page 10, so a deep page is measured too.
    let deep: string | undefined;
    for (let page = 0; page < 9; page++)
      deep = (await store.listAudioFiles({ limit: PAGE, ...(deep ? { cursor: deep } : {}) })).cursor;

    const common = 'podcast';
    const listScan = () => seedScan(seedCtx, 'SK = :sk AND begins_with(PK, :p)', { ':sk': 'METADATA', ':p': 'AUDIO#' });
    const searchScan = (q: string) =>
      seedScan(seedCtx, 'SK = :sk AND contains(filename, :q)', { ':sk': 'METADATA', ':q': q });
    const transcriptScan = (q: string) =>
      seedScan(seedCtx, 'SK = :sk AND (contains(filename, :q) OR contains(transcript, :q))', {
        ':sk': 'METADATA',
        ':q': q,
      });
    const allPages = async (q: string) => {
      let cursor: string | undefined;
      do cursor = (await store.searchAudioFiles(q, { limit: PAGE, ...(cursor ? { cursor } : {}) })).cursor;
      while (cursor);
    };
    const cases: { label: string; ours: () => Promise<unknown>; seed: () => Promise<unknown> }[] = [
      { label: `list: first page (${PAGE})`, ours: () => store.listAudioFiles({ limit: PAGE }), seed: listScan },
      {
        label: `list: page 10 (${PAGE})`,
        ours: () => store.listAudioFiles({ limit: PAGE, ...(deep ? { cursor: deep } : {}) }),
        seed: listScan,
      },
      {
        label: `search "${common}": first page (${PAGE})`,
        ours: () => store.searchAudioFiles(common, { limit: PAGE }),
        seed: () => searchScan(common),
      },
      {
        label: `search "${RARE}": all pages (1 file in ${RARE_EVERY})`,
        ours: () => allPages(RARE),
        seed: () => searchScan(RARE),
      },
      {
        label: `search transcript word "${RARE_WORD.slice(0, 5)}": all pages (1 file in ${RARE_EVERY})`,
        ours: () => allPages(RARE_WORD.slice(0, 5)),
        seed: () => transcriptScan(RARE_WORD.slice(0, 5)),
      },
      {
        label: `search transcript word "weather": first page (${PAGE})`,
        ours: () => store.searchAudioFiles('weather', { limit: PAGE }),
        seed: () => transcriptScan('weather'),
      },
    ];
    const results: CaseResult[] = [];
    for (const c of cases) {
      results.push({ label: c.label, rows, index: await meter.measure(c.ours), seed: await meter.measure(c.seed) });
    }
    return { results, latency: await latencyMedians(store) };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

/**
 * Runs the store benchmark at each `--rows` size (default 2,000 and 20,000) and prints one table,
 * so the ratio's growth with the table shows, then single-op latency medians of both adapters.
 */
export async function run(args: BenchArgs): Promise<void> {
  const sizes = numberListFlag(args.argv, '--rows', [2_000, 20_000]);
  const results: CaseResult[] = [];
  let dynamoLatency: Record<string, number> | undefined;
  for (const rows of sizes) {
    const measured = await measureAt(rows);
    results.push(...measured.results);
    dynamoLatency = measured.latency;
  }
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
