import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { filenameTermItems, isSearchTermKey, searchTermItems } from '../model/search.js';
import { type BatchOptions, mapLimit, writeBatches } from '../store/dynamo/batch.js';
import { type Item, isOlder, itemBuilders, SOURCE_FIELDS, sameItem } from './items.js';
import { missingIndexAttributes, normalizeLegacyAudio, normalizeLegacyUser } from './legacy-items.js';
import { raiseUserIdCounter } from './table-ops.js';

/**
 * `repair-legacy-keys`: one paginated Scan of the whole table (a one-off repair; every page is
 * read, nothing is cut at 1 MB), then a plan of fixes, applied only with `apply`:
 * - `move`: a user under `USER#<Name>` (the old migration script's key) is put at `user#<name>`
 *   with attribute_not_exists, then the old item is deleted (unless it changed since the scan);
 *   an existing canonical item is a `conflict`, reported and left alone — unless it is the copy
 *   an interrupted move already put there (`finish`: only the delete is left to do);
 * - `index`: a user or audio item without the GSI attributes (written by the Python service) gets
 *   them, conditional on the item being unchanged since the scan;
 * - `search`: an audio file with missing search-index items gets them.
 * The user-id counter is raised to the largest user_id seen.
 */

export interface RepairOptions {
  table: string;
  apply?: boolean;
  concurrency?: number;
}

export interface RepairAction {
  kind: 'move' | 'finish' | 'conflict' | 'index' | 'search' | 'invalid' | 'changed';
  key: string;
  detail: string;
}

export interface RepairReport {
  applied: boolean;
  scanned: number;
  pages: number;
  actions: RepairAction[];
  /** Actions by kind, after applying (a move that hit an existing item becomes a conflict). */
  counts: Record<RepairAction['kind'], number>;
  counterRaisedTo?: number;
}

interface Plan {
  moves: { from: Item; to: Item }[];
  /** Legacy items whose copy is already in place: only their delete is left. */
  finishes: Item[];
  indexFixes: { key: { PK: string; SK: string }; set: Item; updatedAt: unknown }[];
  searchFixes: { filename: string; transcript: string | null }[];
  actions: RepairAction[];
  maxUserId: number;
}

const isSuffix = (item: Item) => isSearchTermKey(item.SK);

/** Scans, plans and (with `apply`) repairs; see the module comment. */
export async function repairLegacyKeys(
  options: RepairOptions,
  deps: {
    client: DynamoDBClient;
    log?: (line: string) => void;
    batch?: BatchOptions;
    /** Called between a move's Put and its Delete (tests throw here to simulate a kill). */
    afterPut?: (to: Item) => void | Promise<void>;
  },
): Promise<RepairReport> {
  const doc = DynamoDBDocumentClient.from(deps.client, { marshallOptions: { removeUndefinedValues: true } });
  const builders = itemBuilders(options.table, deps.client);
  const items: Item[] = [];
  const suffixCount = new Map<string, number>();
  let pages = 0;
  let scanned = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: options.table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    pages++;
    for (const item of (page.Items ?? []) as Item[]) {
      scanned++;
      // Counted per kind: `<PK>|NAME`, `<PK>|WORD`.
      if (isSuffix(item)) {
        const counted = `${String(item.PK)}|${String(item.SK).slice(0, 4)}`;
        suffixCount.set(counted, (suffixCount.get(counted) ?? 0) + 1);
      } else if (item.SK === 'PROFILE' || item.SK === 'METADATA') items.push(item);
    }
    start = page.LastEvaluatedKey;
  } while (start);

  const plan = planRepairs(items, suffixCount, builders);
  const report: RepairReport = {
    applied: Boolean(options.apply),
    scanned,
    pages,
    actions: plan.actions,
    counts: emptyCounts(),
  };
  if (options.apply) await applyPlan(plan, options, doc, builders, deps);
  for (const action of plan.actions) {
    report.counts[action.kind]++;
    deps.log?.(`${action.kind.padEnd(8)} ${action.key}  ${action.detail}`);
  }
  if (options.apply && plan.maxUserId > 0 && (await raiseUserIdCounter(deps.client, options.table, plan.maxUserId))) {
    report.counterRaisedTo = plan.maxUserId;
  }
  return report;
}

function emptyCounts(): RepairReport['counts'] {
  return { move: 0, finish: 0, conflict: 0, index: 0, search: 0, invalid: 0, changed: 0 };
}

function planRepairs(items: Item[], suffixCount: Map<string, number>, builders: ReturnType<typeof itemBuilders>): Plan {
  const plan: Plan = { moves: [], finishes: [], indexFixes: [], searchFixes: [], actions: [], maxUserId: 0 };
  const canonical = new Map(items.filter((i) => String(i.PK).startsWith('user#')).map((i) => [String(i.PK), i]));
  const planned = new Set<string>();
  for (const item of items) {
    const pk = String(item.PK);
    const key = `${pk} / ${String(item.SK)}`;
    if (item.SK === 'PROFILE' && (pk.startsWith('USER#') || pk.startsWith('user#'))) {
      const normalized = normalizeLegacyUser(item);
      if (!normalized.ok) {
        plan.actions.push({ kind: 'invalid', key, detail: `cannot repair: ${normalized.reason}` });
        continue;
      }
      plan.maxUserId = Math.max(plan.maxUserId, Number(normalized.record.user_id));
      const desired = builders.user(normalized.record);
      if (pk.startsWith('USER#')) {
        const to = { ...normalized.record, ...desired };
        const existing = canonical.get(String(desired.PK));
        if (existing && !planned.has(String(desired.PK)) && isCopyOf(existing, to)) {
          plan.finishes.push(item);
          plan.actions.push({
            kind: 'finish',
            key,
            detail: `${String(desired.PK)} already holds this user (an interrupted move); deleting ${pk}`,
          });
        } else if (existing || planned.has(String(desired.PK))) {
          plan.actions.push({
            kind: 'conflict',
            key,
            detail: `${String(desired.PK)} already exists; left both as they are (merge by hand, then delete ${pk})`,
          });
        } else {
          planned.add(String(desired.PK));
          plan.moves.push({ from: item, to });
          plan.actions.push({ kind: 'move', key, detail: `→ ${String(desired.PK)}` });
        }
        continue;
      }
      addIndexFix(plan, item, desired, key);
    } else if (item.SK === 'METADATA' && pk.startsWith('AUDIO#')) {
      const normalized = normalizeLegacyAudio(item);
      if (!normalized.ok) {
        plan.actions.push({ kind: 'invalid', key, detail: `cannot repair: ${normalized.reason}` });
        continue;
      }
      addIndexFix(plan, item, builders.audio(normalized.record), key);
      const filename = String(normalized.record.filename);
      const transcript = typeof normalized.record.transcript === 'string' ? normalized.record.transcript : null;
      // Filename entries always; transcript entries only for a transcript on the row: one kept in S3
      // was indexed from its text when stored, which this scan does not read.
      const inS3 = transcript === null && typeof item.transcript_s3_key === 'string' && item.transcript_s3_key !== '';
      const names = suffixCount.get(`${pk}|NAME`) ?? 0;
      const words = suffixCount.get(`${pk}|WORD`) ?? 0;
      const expected = inS3 ? filenameTermItems(filename).length : searchTermItems(filename, transcript).length;
      const found = inS3 ? names : names + words;
      if (found !== expected) {
        plan.searchFixes.push({ filename, transcript });
        plan.actions.push({ kind: 'search', key, detail: `${found} of ${expected} search-index items; writing them` });
      }
    }
  }
  return plan;
}

function addIndexFix(plan: Plan, item: Item, desired: Item, key: string): void {
  const set = missingIndexAttributes(item, desired);
  if (Object.keys(set).length === 0) return;
  plan.indexFixes.push({ key: { PK: String(item.PK), SK: String(item.SK) }, set, updatedAt: item.updated_at });
  plan.actions.push({ kind: 'index', key, detail: `add ${Object.keys(set).join(', ')}` });
}

/**
 * Whether the canonical item is the copy a move of this legacy user put there: the same user on
 * every field, or the same user (id and creation time) updated since by the application.
 */
function isCopyOf(canonical: Item, moved: Item): boolean {
  if (sameItem(canonical, moved, SOURCE_FIELDS.user)) return true;
  return canonical.user_id === moved.user_id && canonical.created_at === moved.created_at && !isOlder(canonical, moved);
}

/** Deletes a legacy item unless it changed since the scan; false when it did. */
async function deleteLegacy(doc: DynamoDBDocumentClient, table: string, legacy: Item): Promise<boolean> {
  try {
    await doc.send(
      new DeleteCommand({
        TableName: table,
        Key: { PK: legacy.PK, SK: legacy.SK },
        ...(legacy.updated_at === undefined
          ? { ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(updated_at)' }
          : { ConditionExpression: 'updated_at = :u', ExpressionAttributeValues: { ':u': legacy.updated_at } }),
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return false;
  }
}

async function applyPlan(
  plan: Plan,
  options: RepairOptions,
  doc: DynamoDBDocumentClient,
  builders: ReturnType<typeof itemBuilders>,
  deps: { batch?: BatchOptions; afterPut?: (to: Item) => void | Promise<void> },
): Promise<void> {
  const concurrency = options.concurrency ?? 8;
  const changed = (action: RepairAction | undefined) => {
    if (!action) return;
    action.kind = 'changed';
    action.detail = 'changed or deleted since the scan; run the repair again';
  };
  const moveActions = plan.actions.filter((a) => a.kind === 'move');
  await mapLimit(plan.moves, concurrency, async (move, i) => {
    const action = moveActions[i] as RepairAction;
    try {
      await doc.send(
        new PutCommand({ TableName: options.table, Item: move.to, ConditionExpression: 'attribute_not_exists(PK)' }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const current = await doc.send(
        new GetCommand({ TableName: options.table, Key: { PK: move.to.PK, SK: move.to.SK }, ConsistentRead: true }),
      );
      if (!current.Item || !isCopyOf(current.Item as Item, move.to)) {
        action.kind = 'conflict';
        action.detail = `${String(move.to.PK)} was created meanwhile; left both as they are (merge by hand)`;
        return;
      }
      action.kind = 'finish';
      action.detail = `${String(move.to.PK)} already holds this user (another run's move); deleting ${String(move.from.PK)}`;
    }
    await deps.afterPut?.(move.to);
    if (!(await deleteLegacy(doc, options.table, move.from))) changed(action);
  });
  const finishActions = plan.actions.filter((a) => a.kind === 'finish');
  await mapLimit(plan.finishes, concurrency, async (legacy, i) => {
    if (!(await deleteLegacy(doc, options.table, legacy))) changed(finishActions[i]);
  });

  const indexActions = plan.actions.filter((a) => a.kind === 'index');
  await mapLimit(plan.indexFixes, concurrency, async (fix, i) => {
    const names = Object.keys(fix.set);
    const unchanged = fix.updatedAt === undefined ? 'attribute_not_exists(updated_at)' : 'updated_at = :updated';
    try {
      await doc.send(
        new UpdateCommand({
          TableName: options.table,
          Key: fix.key,
          UpdateExpression: `SET ${names.map((_, n) => `#a${n} = :v${n}`).join(', ')}`,
          ConditionExpression: `attribute_exists(PK) AND ${unchanged}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((name, n) => [`#a${n}`, name])),
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((name, n) => [`:v${n}`, fix.set[name]])),
            ...(fix.updatedAt === undefined ? {} : { ':updated': fix.updatedAt }),
          },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const action = indexActions[i] as RepairAction;
      action.kind = 'changed';
      action.detail = 'changed or deleted since the scan; run the repair again';
    }
  });

  const suffixes = plan.searchFixes.flatMap((fix) => builders.suffixes(fix.filename, fix.transcript));
  const failed = await writeBatches(
    doc,
    options.table,
    suffixes.map((Item) => ({ PutRequest: { Item } })),
    { concurrency, ...deps.batch },
  );
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} search-index items stayed unprocessed after retries (throttling); run the repair again.`,
    );
  }
}
