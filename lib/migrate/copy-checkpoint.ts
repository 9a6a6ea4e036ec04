import { existsSync, readFileSync } from 'node:fs';
import { type Counts, zeroCounts } from './checkpoint.js';
import type { SourceKind } from './table-items.js';
import type { Entity } from './writer.js';

/**
 * The resume point of a dynamodb-to-dynamodb run: per Scan segment, the key its next page starts
 * after, plus the counts and the failed items so far. Saved after every page (./checkpoint.ts
 * writes it atomically); it belongs to one source, target and segment count, and is ignored,
 * with the reason, for any other.
 */

export interface CopyFailure {
  entity: Entity;
  /** The source item's key, `PK / SK`. */
  id: string;
  key: { PK: string; SK: string };
  reason: string;
}

export interface CopyState {
  version: 1;
  kind: 'dynamodb-to-dynamodb';
  from: string;
  fromEndpoint: string | null;
  table: string;
  endpoint: string | null;
  segments: number;
  /** Per segment: where its Scan goes on (`null` not started, `'done'` finished). */
  positions: (Record<string, unknown> | null | 'done')[];
  counts: Record<Entity, Counts>;
  ignored: Partial<Record<Exclude<SourceKind, Entity>, number>>;
  indexItemsWritten: number;
  maxUserId: number;
  failures: CopyFailure[];
}

/** Where the resume point is kept when no path is given: the working directory. */
export function defaultCopyCheckpointPath(from: string, table: string): string {
  return `${from}-to-${table}.migrate-state.json`;
}

/** The options a checkpoint is tied to. */
export interface CopyTarget {
  from: string;
  fromEndpoint?: string;
  table: string;
  endpoint?: string;
}

/** The state of a copy that starts at the first item. */
export function freshState(options: CopyTarget, segments: number): CopyState {
  return {
    version: 1,
    kind: 'dynamodb-to-dynamodb',
    from: options.from,
    fromEndpoint: options.fromEndpoint ?? options.endpoint ?? null,
    table: options.table,
    endpoint: options.endpoint ?? null,
    segments,
    positions: Array.from({ length: segments }, () => null),
    counts: { user: zeroCounts(), audio: zeroCounts() },
    ignored: {},
    indexItemsWritten: 0,
    maxUserId: 0,
    failures: [],
  };
}

/** The saved state if it belongs to this copy, else the reason it is ignored. */
export function readState(path: string, fresh: CopyState): CopyState | string {
  if (!existsSync(path)) return `no checkpoint at ${path}`;
  let saved: CopyState;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as CopyState;
  } catch {
    return `checkpoint ${path} is unreadable; starting from the first item`;
  }
  const same = (['version', 'kind', 'from', 'fromEndpoint', 'table', 'endpoint'] as const).every(
    (field) => saved[field] === fresh[field],
  );
  if (!same) return `checkpoint ${path} is for another source or target; starting from the first item`;
  if (saved.segments !== fresh.segments) {
    return `checkpoint ${path} was made with --segments ${saved.segments}; starting from the first item (or pass --segments ${saved.segments} to resume)`;
  }
  return saved;
}
