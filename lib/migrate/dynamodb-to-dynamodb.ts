import { existsSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describeAwsError } from '../aws-errors.js';
import { AppError, ValidationError } from '../errors.js';
import { type BatchOptions, type BatchStats, getBatches, newStats } from '../store/dynamo/batch.js';
import { type Counts, clearCheckpoint, saveCheckpoint } from './checkpoint.js';
import {
  type CopyFailure,
  type CopyState,
  defaultCopyCheckpointPath,
  freshState,
  readState,
} from './copy-checkpoint.js';
import { type Item, itemBuilders } from './items.js';
import type { Progress } from './progress.js';
import { canonicalUserKey, convertTableItem, kindOf } from './table-items.js';
import { countListed, raiseUserIdCounter } from './table-ops.js';
import { type Entity, type Entry, type WriterOptions, writeEntries } from './writer.js';

/**
 * `dynamodb-to-dynamodb`: copies the users and audio files of the Python service's deployed table
 * into ours. The source is read with a parallel Scan (`segments` segments at once, every page);
 * each page goes through ./table-items.ts (keys, index attributes, timestamps, statuses) and
 * ./writer.ts (conditional writes that never overwrite a newer item, search-index items first).
 * Search-index items, counters and throttle counters of the source are derived data and are not
 * copied; the user-id counter is raised past the largest user_id. After every page the scan
 * position of its segment is saved, so a killed run resumes; a run that ends with failed items
 * keeps the checkpoint and the next run retries just those.
 */

export interface CopyOptions {
  /** The source table (the Python service's). */
  from: string;
  /** The target table (ours). */
  table: string;
  endpoint?: string;
  fromEndpoint?: string;
  /** Parallel Scan segments (default 4). */
  segments?: number;
  /** Items per Scan page (default: DynamoDB's 1 MB pages); smaller pages checkpoint more often. */
  pageSize?: number;
  /** Requests in flight per segment (default 8). */
  concurrency?: number;
  dryRun?: boolean;
  checkpointPath?: string;
  restart?: boolean;
}

export interface CopyDeps {
  /** Client for the source table; for the target table. They may be the same client. */
  source: DynamoDBClient;
  target: DynamoDBClient;
  progress?: Progress;
  log?: (line: string) => void;
  /** Called after each page is written and checkpointed (tests throw here to simulate a kill). */
  afterPage?: (info: { segment: number; page: number }) => void | Promise<void>;
  batch?: Pick<BatchOptions, 'maxAttempts' | 'baseDelayMs' | 'sleep'>;
}

export type { CopyFailure } from './copy-checkpoint.js';
export { defaultCopyCheckpointPath } from './copy-checkpoint.js';

export interface CopyReport {
  dryRun: boolean;
  counts: Record<Entity, Counts>;
  /** Source items not copied, by kind (derived data, or not a user or audio item). */
  ignored: CopyState['ignored'];
  indexItemsWritten: number;
  failures: CopyFailure[];
  batch: BatchStats;
  segments: number;
  resumed: boolean;
  retried?: number;
  verification?: Record<Entity, { source: number; table: number }>;
  counterRaisedTo?: number;
  checkpointKept?: string;
  ok: boolean;
}

interface Run {
  options: CopyOptions;
  deps: CopyDeps;
  source: DynamoDBDocumentClient;
  writer: WriterOptions;
  builders: ReturnType<typeof itemBuilders>;
  state: CopyState;
  sourceError: (error: unknown, action: string) => unknown;
  /** Set when a segment failed: the others stop before their next page. */
  halted: boolean;
}

/** Runs the copy; resolves with the report (check `ok`), rejects on infrastructure errors. */
export async function migrateDynamoToDynamo(options: CopyOptions, deps: CopyDeps): Promise<CopyReport> {
  const log = deps.log ?? (() => {});
  if (options.from === options.table && (options.fromEndpoint ?? options.endpoint) === options.endpoint) {
    throw new ValidationError(
      `--from and --table name the same table (${options.table}): to fix a table in place, run repair-legacy-keys --table ${options.table}.`,
    );
  }
  const segments = options.segments ?? 4;
  const checkpointPath = options.checkpointPath ?? defaultCopyCheckpointPath(options.from, options.table);
  const region = await deps.source.config.region().catch(() => undefined);
  const sourceError = (error: unknown, action: string) => {
    const message = describeAwsError(error, {
      table: options.from,
      ...(region ? { region } : {}),
      ...((options.fromEndpoint ?? options.endpoint) ? { endpoint: options.fromEndpoint ?? options.endpoint } : {}),
      action,
    });
    return message ? new AppError(`Source table: ${message}`, { cause: error }) : error;
  };
  const estimate = await deps.source
    .send(new DescribeTableCommand({ TableName: options.from }))
    .then((out) => out.Table?.ItemCount ?? 0)
    .catch((error: unknown) => {
      throw sourceError(error, 'DescribeTable');
    });

  let state = freshState(options, segments);
  let resumed = false;
  if (!options.restart && !options.dryRun && existsSync(checkpointPath)) {
    const loaded = readState(checkpointPath, state);
    if (typeof loaded === 'string') log(loaded);
    else {
      state = loaded;
      resumed = true;
      log(`resuming the scan of ${options.from} (checkpoint ${checkpointPath})`);
    }
  }
  const retry = state.failures;
  state.failures = [];
  const stats = newStats();
  const builders = itemBuilders(options.table, deps.target);
  const concurrency = options.concurrency ?? 8;
  const run: Run = {
    options,
    deps,
    source: DynamoDBDocumentClient.from(deps.source),
    writer: {
      doc: DynamoDBDocumentClient.from(deps.target, { marshallOptions: { removeUndefinedValues: true } }),
      table: options.table,
      builders,
      batch: { ...deps.batch, stats, concurrency },
      concurrency,
      dryRun: Boolean(options.dryRun),
    },
    builders,
    state,
    sourceError,
    halted: false,
  };
  const save = () => {
    if (!options.dryRun) saveCheckpoint(checkpointPath, state);
  };

  if (retry.length > 0) {
    for (const failure of retry) {
      state.counts[failure.entity].failed--;
      state.counts[failure.entity].read--;
    }
    const { items } = await getBatches(
      run.source,
      options.from,
      retry.map((f) => f.key),
      { ...deps.batch, consistentRead: true },
    ).catch((error: unknown) => {
      throw sourceError(error, 'BatchGetItem');
    });
    await copyPage(run, items);
    save();
  }

  deps.progress?.start(`${options.from}`, estimate);
  try {
    // A failing segment stops the others at their next page, so nothing runs on after the rejection.
    const settled = await Promise.allSettled(state.positions.map((_, segment) => scanSegment(run, segment, save)));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    deps.progress?.done();
  }

  const report: CopyReport = {
    dryRun: Boolean(options.dryRun),
    counts: state.counts,
    ignored: state.ignored,
    indexItemsWritten: state.indexItemsWritten,
    failures: state.failures,
    batch: stats,
    segments,
    resumed,
    ...(retry.length > 0 ? { retried: retry.length } : {}),
    ok: false,
  };
  if (!options.dryRun) {
    if (state.maxUserId > 0 && (await raiseUserIdCounter(deps.target, options.table, state.maxUserId))) {
      report.counterRaisedTo = state.maxUserId;
    }
    report.verification = {
      user: { source: state.counts.user.read, table: await countListed(run.writer.doc, options.table, 'USERS') },
      audio: { source: state.counts.audio.read, table: await countListed(run.writer.doc, options.table, 'AUDIO') },
    };
    if (state.failures.length === 0) clearCheckpoint(checkpointPath);
    else {
      save();
      report.checkpointKept = checkpointPath;
    }
  }
  const failed = state.counts.user.failed + state.counts.audio.failed;
  const missing = Object.values(report.verification ?? {}).some((v) => v.table < v.source);
  report.ok = failed === 0 && !missing;
  return report;
}

async function scanSegment(run: Run, segment: number, save: () => void): Promise<void> {
  const { state, options } = run;
  try {
    for (let page = 1; state.positions[segment] !== 'done' && !run.halted; page++) {
      const start = state.positions[segment];
      const out = await run.source
        .send(
          new ScanCommand({
            TableName: options.from,
            Segment: segment,
            TotalSegments: state.segments,
            ConsistentRead: true,
            ...(options.pageSize ? { Limit: options.pageSize } : {}),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        )
        .catch((error: unknown) => {
          throw run.sourceError(error, 'Scan');
        });
      const items = (out.Items ?? []) as Item[];
      await copyPage(run, items);
      state.positions[segment] = out.LastEvaluatedKey ?? 'done';
      save();
      run.deps.progress?.tick(items.length);
      await run.deps.afterPage?.({ segment, page });
    }
  } catch (error) {
    run.halted = true;
    throw error;
  }
}

async function copyPage(run: Run, items: Item[]): Promise<void> {
  const { state } = run;
  const entries: Entry[] = [];
  const keys: CopyFailure['key'][] = [];
  const fail = (entity: Entity, key: CopyFailure['key'], reason: string) => {
    state.counts[entity].failed++;
    state.failures.push({ entity, id: `${key.PK} / ${key.SK}`, key, reason });
  };
  for (const source of items) {
    const kind = kindOf(source);
    if (kind !== 'user' && kind !== 'audio') {
      state.ignored[kind] = (state.ignored[kind] ?? 0) + 1;
      continue;
    }
    state.counts[kind].read++;
    const key = { PK: String(source.PK), SK: String(source.SK) };
    const canonical = kind === 'user' ? canonicalUserKey(source) : undefined;
    if (canonical && (await sourceHas(run, canonical))) {
      fail(
        kind,
        key,
        `the source also holds ${canonical}, which is the one copied; merge the two by hand (or delete ${key.PK}) and run again`,
      );
      continue;
    }
    const converted = convertTableItem(kind, source, run.builders);
    if (!converted.ok) {
      fail(kind, key, `cannot migrate: ${converted.reason}`);
      continue;
    }
    if (kind === 'user') state.maxUserId = Math.max(state.maxUserId, Number(converted.item.user_id));
    entries.push({ entity: kind, id: `${key.PK} / ${key.SK}`, item: converted.item });
    keys.push(key);
  }
  const { outcomes, indexItemsWritten } = await writeEntries(run.writer, entries);
  state.indexItemsWritten += indexItemsWritten;
  outcomes.forEach((outcome, i) => {
    const entry = entries[i] as Entry;
    if (outcome.kind === 'failed') fail(entry.entity, keys[i] as CopyFailure['key'], outcome.reason);
    else state.counts[entry.entity][outcome.kind]++;
  });
}

async function sourceHas(run: Run, pk: string): Promise<boolean> {
  const out = await run.source
    .send(new GetCommand({ TableName: run.options.from, Key: { PK: pk, SK: 'PROFILE' }, ConsistentRead: true }))
    .catch((error: unknown) => {
      throw run.sourceError(error, 'GetItem');
    });
  return out.Item !== undefined;
}
