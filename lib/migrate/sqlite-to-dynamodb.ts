import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type BatchOptions, type BatchStats, chunk, newStats } from '../store/dynamo/batch.js';
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
import { itemBuilders } from './items.js';
import type { Progress } from './progress.js';
import { caseDuplicateUsers, convertAudio, convertUser, openPythonDb, type PythonDb } from './python-db.js';
import { countListed, raiseUserIdCounter } from './table-ops.js';
import { type Entry, type WriterOptions, writeEntries } from './writer.js';

/**
 * `sqlite-to-dynamodb`: copies the Python service's `users` and `audio_files` into the table in
 * its exact item format. Per chunk of source rows (id order) the items go through ./writer.ts
 * (one BatchGetItem, then conditional writes that never overwrite a newer item), then the
 * checkpoint is saved. A run that ends with failed rows keeps its checkpoint, and the next run
 * retries just those rows; a run without failures removes it.
 */

export interface MigrateOptions {
  from: string;
  table: string;
  endpoint?: string;
  dryRun?: boolean;
  /** Source rows per chunk (default 250). */
  chunkSize?: number;
  /** Requests in flight (default 8). */
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
  batch?: Pick<BatchOptions, 'maxAttempts' | 'baseDelayMs' | 'sleep'>;
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
  /** Failed rows of the previous run that this run tried again. */
  retried?: number;
  /** Source rows against entries in the table's list index, per entity (not in dry runs). */
  verification?: Record<Entity, { source: number; table: number }>;
  counterRaisedTo?: number;
  /** Where the checkpoint was kept because rows failed (absent when it was removed). */
  checkpointKept?: string;
  ok: boolean;
}

const LIST_PARTITION = { user: 'USERS', audio: 'AUDIO' } as const;
/** DynamoDB's item limit is 400 KB (names + values); an oversized item would only fail its write. */
const MAX_ITEM_BYTES = 390_000;

interface RunContext {
  options: MigrateOptions;
  deps: MigrateDeps;
  db: PythonDb;
  writer: WriterOptions;
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
    const retry = state.failures;
    state.failures = [];
    const doc = DynamoDBDocumentClient.from(deps.client, { marshallOptions: { removeUndefinedValues: true } });
    const stats = newStats();
    const builders = itemBuilders(options.table, deps.client);
    const report: MigrateReport = {
      dryRun: Boolean(options.dryRun),
      counts: state.counts,
      indexItemsWritten: state.indexItemsWritten,
      failures: state.failures,
      batch: stats,
      ok: false,
      ...(resumedFrom ? { resumedFrom } : {}),
      ...(retry.length > 0 ? { retried: retry.length } : {}),
    };
    const ctx: RunContext = {
      options,
      deps,
      db,
      writer: {
        doc,
        table: options.table,
        builders,
        batch: { ...deps.batch, stats, concurrency: options.concurrency ?? 8 },
        concurrency: options.concurrency ?? 8,
        dryRun: Boolean(options.dryRun),
      },
      builders,
      state,
      report,
      duplicateUserIds: caseDuplicateUsers(db),
    };
    const save = () => {
      if (options.dryRun) return;
      state.indexItemsWritten = report.indexItemsWritten;
      saveCheckpoint(checkpointPath, state);
    };
    for (const entity of ['user', 'audio'] as const) {
      const again = retry.filter((f) => f.entity === entity).map((f) => f.id);
      if (again.length > 0) {
        // Their earlier outcome is replaced by this run's.
        state.counts[entity].failed -= again.length;
        state.counts[entity].read -= again.length;
        for (const ids of chunk(again, 500)) await migrateChunk(ctx, entity, db.byIds(entity, ids));
        save();
      }
      await migrateEntity(ctx, entity, (n) => {
        save();
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
      if (state.failures.length === 0) clearCheckpoint(checkpointPath);
      else {
        save();
        report.checkpointKept = checkpointPath;
        log(
          `${state.failures.length} row(s) failed; ${checkpointPath} keeps them, and the next run retries just those (--restart re-checks every row)`,
        );
      }
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
  try {
    for (let n = 1; ; n++) {
      const rows = db.page(entity, state.lastId[entity], chunkSize);
      if (rows.length === 0) break;
      await migrateChunk(ctx, entity, rows);
      state.lastId[entity] = Number(rows[rows.length - 1]?.id);
      deps.progress?.tick(rows.length);
      await onChunk(n);
    }
  } finally {
    // Also on an error: the bar's redraw timer must not keep the process alive.
    deps.progress?.done();
  }
}

async function migrateChunk(ctx: RunContext, entity: Entity, rows: Record<string, unknown>[]): Promise<void> {
  const counts = ctx.state.counts[entity];
  const fail = (id: number, reason: string) => {
    counts.failed++;
    ctx.report.failures.push({ entity, id, reason });
  };
  counts.read += rows.length;

  const entries: Entry[] = [];
  for (const raw of rows) {
    const converted = entity === 'user' ? convertUser(raw) : convertAudio(raw);
    if (!converted.ok) {
      fail(converted.rejected.id, converted.rejected.reason);
      continue;
    }
    const duplicate = entity === 'user' ? ctx.duplicateUserIds.get(converted.row.id) : undefined;
    if (duplicate) {
      fail(converted.row.id, duplicate);
      continue;
    }
    const { id, ...row } = converted.row;
    const item = entity === 'user' ? ctx.builders.user(row) : ctx.builders.audio(row);
    const bytes = Buffer.byteLength(JSON.stringify(item));
    if (bytes > MAX_ITEM_BYTES) {
      fail(
        id,
        `the item would be ${Math.ceil(bytes / 1024)} KB, over DynamoDB's 400 KB item limit (a long transcript): shorten it in SQLite, or migrate without it and re-transcribe the file (the pipeline keeps large transcripts in S3)`,
      );
      continue;
    }
    entries.push({ entity, id, item });
  }

  const { outcomes, indexItemsWritten } = await writeEntries(ctx.writer, entries);
  ctx.report.indexItemsWritten += indexItemsWritten;
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === 'failed') fail(Number(entries[i]?.id), outcome.reason);
    else counts[outcome.kind]++;
  });
}
