import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/**
 * The resume point of a sqlite-to-dynamodb run: a small JSON file next to the source
 * (`<source>.migrate-state.json`) holding, per entity, the highest SQLite id whose items are all
 * written, plus the counts so far. It is saved after every chunk (write to a temp file, then
 * rename, so a kill never leaves half a file) and removed when a run finishes without failures.
 *
 * It only saves work: a run without it (deleted, other table, or a source file that changed
 * since) starts from the first row and, being idempotent, writes only what differs. A run that
 * ends with failed rows keeps it, listing them, so the next run retries just those.
 */

export type Entity = 'user' | 'audio';

export interface Counts {
  read: number;
  written: number;
  unchanged: number;
  skippedNewer: number;
  failed: number;
}

export interface CheckpointState {
  version: 1;
  table: string;
  endpoint: string | null;
  /** Size and mtime of the source when the run began; a changed file invalidates the checkpoint. */
  source: { size: number; mtimeMs: number };
  lastId: Record<Entity, number>;
  counts: Record<Entity, Counts>;
  /** Items written beyond the entity items (search index). */
  indexItemsWritten: number;
  /** Rows that failed (before an interruption, or in a finished run): the next run retries them. */
  failures: { entity: Entity; id: number; reason: string }[];
}

export function zeroCounts(): Counts {
  return { read: 0, written: 0, unchanged: 0, skippedNewer: 0, failed: 0 };
}

export function defaultCheckpointPath(source: string): string {
  return `${source}.migrate-state.json`;
}

export function sourceFingerprint(source: string): CheckpointState['source'] {
  const stat = statSync(source);
  return { size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) };
}

/** A fresh state for a run that starts at the first row. */
export function freshState(table: string, endpoint: string | undefined, source: string): CheckpointState {
  return {
    version: 1,
    table,
    endpoint: endpoint ?? null,
    source: sourceFingerprint(source),
    lastId: { user: 0, audio: 0 },
    counts: { user: zeroCounts(), audio: zeroCounts() },
    indexItemsWritten: 0,
    failures: [],
  };
}

/**
 * Loads the checkpoint if it belongs to this source, table and endpoint; otherwise returns
 * undefined with the reason (so the CLI can say why it starts over).
 */
export function loadCheckpoint(
  path: string,
  expected: { table: string; endpoint: string | undefined; source: string },
): { state?: CheckpointState; ignored?: string } {
  if (!existsSync(path)) return {};
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as CheckpointState;
  } catch {
    return { ignored: `checkpoint ${path} is unreadable; starting from the first row` };
  }
  const fingerprint = sourceFingerprint(expected.source);
  if (state.version !== 1 || state.table !== expected.table || state.endpoint !== (expected.endpoint ?? null)) {
    return { ignored: `checkpoint ${path} is for another table or endpoint; starting from the first row` };
  }
  if (state.source?.size !== fingerprint.size || state.source?.mtimeMs !== fingerprint.mtimeMs) {
    return { ignored: `the source changed since checkpoint ${path} was written; starting from the first row` };
  }
  return { state };
}

/** Writes a checkpoint (any JSON state) atomically: a temp file, then a rename. */
export function saveCheckpoint(path: string, state: object): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, path);
}

/** Removes a checkpoint; a missing one is fine. */
export function clearCheckpoint(path: string): void {
  rmSync(path, { force: true });
}
