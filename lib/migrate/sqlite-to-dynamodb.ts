import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type BatchDeps, type BatchStats, getAll, mapLimit, newStats, writeAll } from './batch.js';
import {
  type CheckpointState,
  type Counts,
  clearCheckpoint,
  defaultCheckpointPath,
  type Entity,
  freshState,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
import { type Item, isNewer, itemBuilders, keyOf, keyString, SOURCE_FIELDS, sameItem } from './items.js';
import type { Progress } from './progress.js';
import {
  caseDuplicateUsers,
  convertAudio,
  convertUser,
  openPythonDb,
  type PythonDb,
  type RejectedRow,
} from './python-db.js';
import { countListed, raiseUserIdCounter, userByIdIndex } from './table-ops.js';

/**
 * `sqlite-to-dynamodb`: copies the Python service's `users` and `audio_files` into the table in
 * its exact item format. Per chunk of source rows (id order): read the current items with
 * BatchGetItem, skip the ones that already match (unchanged) or were updated later in the table
 * (skipped-newer), write the rest with BatchWriteItem — an audio file's search-index items before
 * its row, so a row that exists always has its index — then save the checkpoint.
 */

export interface MigrateOptions {
  from: string;
  table: string;
  endpoint?: string;
  dryRun?: boolean;
  /** Source rows per chunk (default 250). */
  chunkSize?: number;
  /** BatchWrite/BatchGet calls in flight (default 8). */
  concurrency?: number;
  /** Where the resume point is kept (default `<from>.migrate-state.json`). */
  checkpointPath?: string;
  /** Ignore an existing checkpoint and start from the first row. */
  restart?: boolean;
}

export interface MigrateDeps {
  client: DynamoDBClient;
  progress?: Progress;
  log?: (line: string) => void;
  /** Called after each chunk is written and checkpointed (tests throw here to simulate a kill). */
  afterChunk?: (info: { entity: Entity; chunk: number; lastId: number }) => void | Promise<void>;
  /** Retry tuning for tests (sleep, attempts, delays). */
  batch?: Pick<BatchDeps, 'maxAttempts' | 'baseDelayMs' | 'sleep'>;
}

export interface Failure {
  entity: Entity;
  id: number;
  reason: string;
}

export interface MigrateReport {
  dryRun: boolean;
  counts: Record<Entity, Counts>;
  indexItemsWritten: number;
  failures: Failure[];
  batch: BatchStats;
  resumedFrom?: Record<Entity, number>;
  /** Source rows against entries in the table's list index, per entity (not in dry runs). */
  verification?: Record<Entity, { source: number; table: number }>;
  counterRaisedTo?: number;
  ok: boolean;
}

const LIST_PARTITION = { user: 'USERS', audio: 'AUDIO' } as const;
/** DynamoDB's item limit is 400 KB (names + values); one oversized item would fail its whole batch. */
const MAX_ITEM_BYTES = 390_000;

interface RunContext {
  options: MigrateOptions;
  deps: MigrateDeps;
  db: PythonDb;
  batchDeps: BatchDeps;
  doc: DynamoDBDocumentClient;
  builders: ReturnType<typeof itemBuilders>;
  state: CheckpointState;
  report: MigrateReport;
  duplicateUserIds: Map<number, string>;
}

/** Runs the migration; resolves with the report (check `ok`), rejects on infrastructure errors. */
export async function migrateSqliteToDynamo(options: MigrateOptions, deps: MigrateDeps): Promise<MigrateReport> {
  const log = deps.log ?? (() => {});
  const checkpointPath = options.checkpointPath ?? defaultCheckpointPath(options.from);
  const db = openPythonDb(options.from);
  try {
    let state = freshState(options.table, options.endpoint, options.from);
    let resumedFrom: Record<Entity, number> | undefined;
    if (!options.restart && !options.dryRun) {
      const loaded = loadCheckpoint(checkpointPath, {
        table: options.table,
        endpoint: options.endpoint,
        source: options.from,
      });
      if (loaded.ignored) log(loaded.ignored);
      if (loaded.state) {
        state = loaded.state;
        resumedFrom = { ...state.lastId };
        log(
          `resuming after user id ${state.lastId.user} and audio id ${state.lastId.audio} (checkpoint ${checkpointPath})`,
        );
      }
    }
    state.failures ??= []; // checkpoints written before failures were kept
    const doc = DynamoDBDocumentClient.from(deps.client, { marshallOptions: { removeUndefinedValues: true } });
    const report: MigrateReport = {
      dryRun: Boolean(options.dryRun),
      counts: state.counts,
      indexItemsWritten: state.indexItemsWritten,
      failures: state.failures,
      batch: newStats(),
      ok: false,
      ...(resumedFrom ? { resumedFrom } : {}),
    };
    const ctx: RunContext = {
      options,
      deps,
      db,
      doc,
      batchDeps: { doc, table: options.table, concurrency: options.concurrency ?? 8, ...deps.batch },
      builders: itemBuilders(options.table, deps.client),
      state,
      report,
      duplicateUserIds: caseDuplicateUsers(db),
    };
    for (const entity of ['user', 'audio'] as const) {
      await migrateEntity(ctx, entity, (n) => {
        if (!options.dryRun) {
          state.indexItemsWritten = report.indexItemsWritten;
          saveCheckpoint(checkpointPath, state);
        }
        return deps.afterChunk?.({ entity, chunk: n, lastId: state.lastId[entity] });
      });
    }
    if (!options.dryRun) {
      const maxId = db.maxId('user');
      if (maxId > 0 && (await raiseUserIdCounter(deps.client, options.table, maxId))) report.counterRaisedTo = maxId;
      report.verification = {
        user: { source: db.count('user'), table: await countListed(doc, options.table, LIST_PARTITION.user) },
        audio: { source: db.count('audio'), table: await countListed(doc, options.table, LIST_PARTITION.audio) },
      };
      // A finished run needs no resume point; the next run re-checks every row (and finds them unchanged).
      clearCheckpoint(checkpointPath);
    }
    const failed = report.counts.user.failed + report.counts.audio.failed;
    const missing = Object.values(report.verification ?? {}).some((v) => v.table < v.source);
    report.ok = failed === 0 && !missing;
    return report;
  } finally {
    db.close();
  }
}

async function migrateEntity(
  ctx: RunContext,
  entity: Entity,
  onChunk: (n: number) => void | Promise<void>,
): Promise<void> {
  const { db, state, deps } = ctx;
  const chunkSize = ctx.options.chunkSize ?? 250;
  const remaining = (db.count(entity) - state.counts[entity].read) | 0;
  deps.progress?.start(entity === 'user' ? 'users' : 'audio', Math.max(0, remaining));
  for (let n = 1; ; n++) {
    const rows = db.page(entity, state.lastId[entity], chunkSize);
    if (rows.length === 0) break;
    await migrateChunk(ctx, entity, rows);
    state.lastId[entity] = Number(rows[rows.length - 1]?.id);
    deps.progress?.tick(rows.length);
    await onChunk(n);
  }
  deps.progress?.done();
}

async function migrateChunk(ctx: RunContext, entity: Entity, rows: Record<string, unknown>[]): Promise<void> {
  const counts = ctx.state.counts[entity];
  const fail = (failure: RejectedRow | Failure) => {
    counts.failed++;
    ctx.report.failures.push({ entity, id: failure.id, reason: failure.reason });
  };
  counts.read += rows.length;

  const desired: { id: number; item: Item }[] = [];
  for (const raw of rows) {
    const converted = entity === 'user' ? convertUser(raw) : convertAudio(raw);
    if (!converted.ok) {
      fail(converted.rejected);
      continue;
    }
    const duplicate = entity === 'user' ? ctx.duplicateUserIds.get(converted.row.id) : undefined;
    if (duplicate) {
      fail({ entity, id: converted.row.id, reason: duplicate });
      continue;
    }
    const { id, ...row } = converted.row;
    const item = entity === 'user' ? ctx.builders.user(row) : ctx.builders.audio(row);
    const bytes = Buffer.byteLength(JSON.stringify(item));
    if (bytes > MAX_ITEM_BYTES) {
      fail({
        entity,
        id,
        reason: `the item would be ${Math.ceil(bytes / 1024)} KB, over DynamoDB's 400 KB item limit (a long transcript): shorten it in SQLite, or migrate without it and re-transcribe the file (the pipeline keeps large transcripts in S3)`,
      });
      continue;
    }
    desired.push({ id, item });
  }

  const existing = await getAll(
    ctx.batchDeps,
    desired.map((d) => keyOf(d.item)),
    ctx.report.batch,
  );
  let toWrite: { id: number; item: Item }[] = [];
  for (const entry of desired) {
    const current = existing.get(keyString(entry.item));
    if (current && isNewer(current, entry.item)) counts.skippedNewer++;
    else if (current && sameItem(current, entry.item, SOURCE_FIELDS[entity])) counts.unchanged++;
    else toWrite.push(entry);
  }

  if (entity === 'user') toWrite = await dropIdCollisions(ctx, toWrite, fail);
  if (ctx.options.dryRun) {
    counts.written += toWrite.length;
    return;
  }

  if (entity === 'audio' && toWrite.length > 0) {
    const index = toWrite.flatMap((entry) =>
      ctx.builders.suffixes(String(entry.item.filename), entry.item.transcript as string | null | undefined),
    );
    const failedIndex = await writeAll(ctx.batchDeps, index, ctx.report.batch);
    ctx.report.indexItemsWritten += index.length - failedIndex.length;
    const broken = new Set(failedIndex.map((item) => String(item.filename)));
    toWrite = toWrite.filter((entry) => {
      if (!broken.has(String(entry.item.filename))) return true;
      fail({
        entity,
        id: entry.id,
        reason: 'search-index items stayed unprocessed after retries (throttling); run again',
      });
      return false;
    });
  }
  const failedItems = new Set(
    (
      await writeAll(
        ctx.batchDeps,
        toWrite.map((e) => e.item),
        ctx.report.batch,
      )
    ).map(keyString),
  );
  for (const entry of toWrite) {
    if (failedItems.has(keyString(entry.item)))
      fail({ entity, id: entry.id, reason: 'stayed unprocessed after retries (throttling); run again' });
    else counts.written++;
  }
}

/** A user whose id another user already holds in the table (by-id index) must not be written. */
async function dropIdCollisions(
  ctx: RunContext,
  entries: { id: number; item: Item }[],
  fail: (f: Failure) => void,
): Promise<{ id: number; item: Item }[]> {
  const holders = await mapLimit(entries, ctx.batchDeps.concurrency ?? 8, (entry) =>
    userByIdIndex(ctx.doc, ctx.options.table, entry.id),
  );
  return entries.filter((entry, i) => {
    const holder = holders[i];
    if (!holder || holder.PK === entry.item.PK) return true;
    fail({
      entity: 'user',
      id: entry.id,
      reason: `user_id ${entry.id} is already held by "${String(holder.username)}" in the table; that user was created after the last migration: change one of the ids and run again`,
    });
    return false;
  });
}
