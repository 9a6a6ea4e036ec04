import {
  afterFailure,
  afterTakeBack,
  EMPTY_STATE,
  epochMs,
  expiresAt,
  longestWait,
  throttleKey,
  waitMs,
} from '../login-failures.js';
import type { AttemptVerdict, ThrottleCounter, ThrottleState } from '../store.js';
import type { DynamoContext } from './context.js';
import { isConditionalCheckFailed } from './errors.js';

/**
 * Login-throttle counters on DynamoDB. There are no transactions to lean on (dynalite has none):
 * each counter is a compare-and-set: its new state is written with UpdateItem on the condition
 * that the item still holds the state read (or does not exist yet); a lost race re-reads and
 * decides again. TTL (`expires_at`) removes counters that have forgotten everything; dynalite has
 * no TTL, which changes nothing but the table's size, as a drained counter reads like a missing one.
 */

/** Compare-and-set rounds per counter before the attempt is asked to come back a second later. */
const MAX_ROUNDS = 10;
const CONTENDED_WAIT_MS = 1_000;
/** A drained counter is never read again; TTL may delete it a minute later. */
const TTL_MARGIN_SECONDS = 60;

interface Stored {
  state: ThrottleState;
  exists: boolean;
}

function fromItem(item: { failures?: number; last_failure_at?: number; next_attempt_at?: number } | null): Stored {
  if (!item) return { state: EMPTY_STATE, exists: false };
  return {
    state: {
      failures: Number(item.failures ?? 0),
      lastFailureAt: Number(item.last_failure_at ?? 0),
      nextAttemptAt: Number(item.next_attempt_at ?? 0),
    },
    exists: true,
  };
}

async function readOne(ctx: DynamoContext, key: string): Promise<Stored> {
  const { data } = await ctx.loginFailure.get({ key }).go({ consistent: true });
  return fromItem(data);
}

/** Every key's stored state with one consistent BatchGetItem (unprocessed keys are read one by one). */
async function readAll(ctx: DynamoContext, keys: readonly string[]): Promise<Map<string, Stored>> {
  const found = new Map<string, Stored>();
  if (keys.length === 0) return found;
  const { data, unprocessed } = await ctx.loginFailure.get(keys.map((key) => ({ key }))).go({ consistent: true });
  for (const item of data) found.set(item.key, fromItem(item));
  for (const { key } of unprocessed) found.set(key, await readOne(ctx, key));
  for (const key of keys) if (!found.has(key)) found.set(key, fromItem(null));
  return found;
}

/** The stored state of each key, zeros for keys never counted. */
export async function getLoginFailures(
  ctx: DynamoContext,
  keys: readonly string[],
  _now?: Date,
): Promise<Record<string, ThrottleState>> {
  const stored = await readAll(ctx, keys.map(throttleKey));
  return Object.fromEntries([...stored].map(([key, { state }]) => [key, state]));
}

/** Counts the failure on one counter by compare-and-set; returns 0, or the wait that refuses it. */
async function countOne(ctx: DynamoContext, counter: ThrottleCounter, read: Stored, at: number): Promise<number> {
  let current = read;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wait = waitMs(current.state, at);
    if (wait > 0) return wait;
    const next = afterFailure(current.state, counter.rule, at);
    const { state, exists } = current;
    try {
      await ctx.loginFailure
        .update({ key: counter.key })
        .set({
          failures: next.failures,
          last_failure_at: next.lastFailureAt,
          next_attempt_at: next.nextAttemptAt,
          expires_at: Math.ceil(expiresAt(next, counter.rule) / 1000) + TTL_MARGIN_SECONDS,
        })
        .where((attr, op) =>
          exists
            ? `${op.eq(attr.failures, state.failures)} AND ${op.eq(attr.last_failure_at, state.lastFailureAt)}`
            : op.notExists(attr.failures),
        )
        .go({ response: 'none' });
      return 0;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      current = await readOne(ctx, counter.key);
    }
  }
  return CONTENDED_WAIT_MS;
}

/**
 * One consistent read of every counter; any that must still wait refuses the attempt with nothing
 * counted. Otherwise one conditional UpdateItem per counter, one after the other in the order
 * given (the most restrictive first), so only attempts let through by one counter compete for the
 * next. A counter that another attempt pushed into a wait in the meantime refuses this one too;
 * what was counted before it stays counted (under a race the throttle errs towards slowing down).
 */
export async function recordLoginFailure(
  ctx: DynamoContext,
  counters: readonly ThrottleCounter[],
  now = new Date(),
): Promise<AttemptVerdict> {
  const at = epochMs(now);
  const stored = await readAll(
    ctx,
    counters.map((counter) => throttleKey(counter.key)),
  );
  const before = longestWait(
    [...stored.values()].map((s) => s.state),
    at,
  );
  if (before > 0) return { allowed: false, retryAfterMs: before };
  for (const counter of counters) {
    const wait = await countOne(ctx, counter, stored.get(counter.key) as Stored, at);
    if (wait > 0) return { allowed: false, retryAfterMs: wait };
  }
  return { allowed: true };
}

/** Takes one failure back from a counter by compare-and-set; gives up quietly on a hot counter. */
async function takeBack(ctx: DynamoContext, counter: ThrottleCounter): Promise<void> {
  let current = await readOne(ctx, counter.key);
  for (let round = 0; round < MAX_ROUNDS && current.state.failures > 0; round++) {
    const { state } = current;
    const next = afterTakeBack(state, counter.rule);
    try {
      await ctx.loginFailure
        .patch({ key: counter.key })
        .set({ failures: next.failures, next_attempt_at: next.nextAttemptAt })
        .where(
          (attr, op) =>
            `${op.eq(attr.failures, state.failures)} AND ${op.eq(attr.last_failure_at, state.lastFailureAt)}`,
        )
        .go({ response: 'none' });
      return;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      current = await readOne(ctx, counter.key);
    }
  }
}

/** Deletes the `clear` counters and takes one failure back from each `uncount` one, in parallel. */
export async function clearLoginFailures(
  ctx: DynamoContext,
  input: { clear: readonly string[]; uncount: readonly ThrottleCounter[] },
  _now?: Date,
): Promise<void> {
  const clear = input.clear.map(throttleKey);
  for (const counter of input.uncount) throttleKey(counter.key);
  await Promise.all([
    ...clear.map((key) => ctx.loginFailure.delete({ key }).go({ response: 'none' })),
    ...input.uncount.map((counter) => takeBack(ctx, counter)),
  ]);
}
