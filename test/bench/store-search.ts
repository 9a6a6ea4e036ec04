import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { filenameTermItems, transcriptTermItems } from '../../lib/model/search.js';
import { parseSearchQuery } from '../../lib/model/search-terms.js';
import { createTable } from '../../lib/model/table.js';
import { batchWriteAll, type WriteRequest } from '../../lib/store/dynamo/batch.js';
import { createContext, type DynamoContext } from '../../lib/store/dynamo/context.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import type { Store } from '../../lib/store/store.js';
import { startDynaliteProcess } from './dynalite-process.js';

/**
 * Items read per list and search page (DynamoDB adapter on dynalite) against the seed's full Scan
 * with a filter, both measured in the same run on tables of the same rows. Part of the store
 * benchmark (store.bench.ts).
 */

export const PAGE = 50;
const WORDS = ['morning', 'evening', 'podcast', 'interview', 'news', 'lecture', 'music', 'story', 'meeting', 'review'];
/** Every RARE_EVERY-th file carries this word: a 3+ character query with few matches. */
const RARE = 'zebra';
const RARE_EVERY = 500;

/** Spoken words the bench transcripts are made of; RARE_WORD is in one transcript in RARE_EVERY. */
const SPOKEN = ['today', 'we', 'talk', 'about', 'weather', 'music', 'school', 'garden', 'friends', 'travel', 'dinner'];
const RARE_WORD = 'xylophone';

/** The transcript-word queries measured: a rare word (all pages) and a common one (first page). */
const TRANSCRIPT_QUERIES = { rare: RARE_WORD.slice(0, 5), common: 'weather' };

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

export interface Reads {
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
 * Which search entries a loaded table holds: all of them (`full`); none (`rows`, the seed-shaped
 * baseline: the seed had no index items); or the whole transcript index with only the filename
 * entries the transcript-word queries read (`transcript`, see measureTranscriptSearch).
 */
type IndexShape = 'full' | 'rows' | 'transcript';

/** The filename terms the transcript-word queries read (their first characters). */
const QUERY_GRAMS = new Set(Object.values(TRANSCRIPT_QUERIES).map((q) => parseSearchQuery(q).gram));

/** Loads `rows` audio rows (and the entries `shape` asks for) with parallel BatchWriteItem calls. */
async function load(ctx: DynamoContext, rows: number, shape: IndexShape): Promise<number> {
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
      const names = shape === 'rows' ? [] : filenameTermItems(filename);
      const terms =
        shape === 'rows'
          ? []
          : [
              ...(shape === 'full' ? names : names.filter((item) => QUERY_GRAMS.has(item.term))),
              ...transcriptTermItems(filename, transcript),
            ];
      const parts = [ctx.audio.put([row]).params(), ...(terms.length > 0 ? [ctx.term.put(terms).params()] : [])];
      for (const batch of parts as unknown as { RequestItems: Record<string, WriteRequest[]> }[][]) {
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

export interface CaseResult {
  label: string;
  rows: number;
  /** Whether the case is a transcript-word search (measured at the transcript sizes too). */
  transcript: boolean;
  index: Reads;
  seed: Reads;
}

interface Case {
  label: string;
  transcript: boolean;
  ours: () => Promise<unknown>;
  seed: () => Promise<unknown>;
}

function cases(store: Store, seedCtx: DynamoContext, deep: string | undefined): Case[] {
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
  const { rare, common: word } = TRANSCRIPT_QUERIES;
  return [
    {
      label: `list: first page (${PAGE})`,
      transcript: false,
      ours: () => store.listAudioFiles({ limit: PAGE }),
      seed: listScan,
    },
    {
      label: `list: page 10 (${PAGE})`,
      transcript: false,
      ours: () => store.listAudioFiles({ limit: PAGE, ...(deep ? { cursor: deep } : {}) }),
      seed: listScan,
    },
    {
      label: `search "${common}": first page (${PAGE})`,
      transcript: false,
      ours: () => store.searchAudioFiles(common, { limit: PAGE }),
      seed: () => searchScan(common),
    },
    {
      label: `search "${RARE}": all pages (1 file in ${RARE_EVERY})`,
      transcript: false,
      ours: () => allPages(RARE),
      seed: () => searchScan(RARE),
    },
    {
      label: `search transcript word "${rare}": all pages (1 file in ${RARE_EVERY})`,
      transcript: true,
      ours: () => allPages(rare),
      seed: () => transcriptScan(rare),
    },
    {
      label: `search transcript word "${word}": first page (${PAGE})`,
      transcript: true,
      ours: () => store.searchAudioFiles(word, { limit: PAGE }),
      seed: () => transcriptScan(word),
    },
  ];
}

/**
 * Loads `rows` rows into a fresh dynalite (its own process, so loading uses both cores) — with
 * every search entry, and a seed-shaped table of the rows only — and measures every case
 * against the seed's Scan. `withStore` runs on the loaded store afterwards (latency medians).
 */
export async function measureAt<T>(
  rows: number,
  withStore?: (store: Store) => Promise<T>,
): Promise<{ results: CaseResult[]; extra?: T }> {
  return measure(rows, 'full', withStore);
}

/**
 * Transcript-word searches at `rows` rows: the table holds every row, its whole transcript index
 * and, of the filename index, only the entries under the queries' first characters — the only
 * filename entries these queries read (a Query reads one index term). The rest of the filename
 * index (three quarters of the items) is left out so that 100,000 rows load in minutes;
 * store.bench.ts checks that, at a size measured both ways, every count is the same.
 */
export async function measureTranscriptSearch(rows: number): Promise<CaseResult[]> {
  return (await measure(rows, 'transcript')).results;
}

async function measure<T>(
  rows: number,
  shape: 'full' | 'transcript',
  withStore?: (store: Store) => Promise<T>,
): Promise<{ results: CaseResult[]; extra?: T }> {
  const dynamo = await startDynaliteProcess();
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
    const items = await load(ctx, rows, shape);
    const loadSeconds = (performance.now() - started) / 1000;
    await load(seedCtx, rows, 'rows');
    console.log(
      `Loaded ${rows} audio rows: ${items} items (${shape === 'full' ? 'every search entry' : 'the transcript index and the filename entries the transcript queries read'}) in ${loadSeconds.toFixed(1)} s (${(items / loadSeconds).toFixed(0)} items/s); the seed-shaped baseline table holds the ${rows} rows only.`,
    );
    // Cursor of page 10, so a deep page is measured too.
    let deep: string | undefined;
    if (shape === 'full') {
      for (let page = 0; page < 9; page++)
        deep = (await store.listAudioFiles({ limit: PAGE, ...(deep ? { cursor: deep } : {}) })).cursor;
    }
    const results: CaseResult[] = [];
    for (const c of cases(store, seedCtx, deep)) {
      if (shape === 'transcript' && !c.transcript) continue;
      results.push({
        label: c.label,
        rows,
        transcript: c.transcript,
        index: await meter.measure(c.ours),
        seed: await meter.measure(c.seed),
      });
    }
    return { results, ...(withStore ? { extra: await withStore(store) } : {}) };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}
