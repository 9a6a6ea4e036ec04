import { LastAdminError } from '../../errors.js';
import { nowIso } from '../common.js';
import type { UserRecord } from '../store.js';
import { batchGetAll } from './batch.js';
import type { DynamoContext } from './context.js';
import { toUserRecord } from './records.js';

/**
 * The last active admin cannot be demoted, disabled or deleted, even by two admins removing each
 * other at the same moment. dynalite has no transactions, so the user write cannot carry the
 * check; a counter item does: `COUNTER#active_admins` holds a LOWER BOUND of the active admins,
 * and every change keeps it one:
 *
 * - losing an admin: first decrement the counter with the condition `value > 1` (of two racing
 *   demotions only one passes), then the user write, conditioned on the flags it saw. If that
 *   write fails the seat is given back.
 * - gaining an admin: the user write first, then the increment — and only if the counter already
 *   existed before the write (read first), so a count taken in between cannot include it twice.
 *
 * A crash between the two writes leaves the counter one BELOW the truth: never unsafe, at worst
 * a later demotion is refused as if for the last admin while another exists. The counter is
 * created once, when a demotion first needs it, from the admins listed on the index and each
 * re-read strongly consistent (a just-demoted admin is not counted; one promoted a moment ago or
 * written by the Python service without index keys is missed, which again only under-counts).
 */

const ADMINS = 'active_admins';

/** Whether a user counts as an active admin. */
export function isActiveAdmin(user: Pick<UserRecord, 'isAdmin' | 'isActive'>): boolean {
  return user.isAdmin && user.isActive;
}

async function readCount(ctx: DynamoContext): Promise<number | undefined> {
  const { data } = await ctx.counter.get({ name: ADMINS }).go({ consistent: true });
  return data ? Number(data.value ?? 0) : undefined;
}

/** Whether the counter exists; a promotion reads this before its write (see the module comment). */
export async function adminCountExists(ctx: DynamoContext): Promise<boolean> {
  return (await readCount(ctx)) !== undefined;
}

/** Creates the counter from the verified active admins, unless another caller already did. */
async function createCount(ctx: DynamoContext): Promise<void> {
  const { data: listed } = await ctx.user.query.list({}).go({ ignoreOwnership: true, pages: 'all' });
  const candidates = listed.map(toUserRecord).filter(isActiveAdmin);
  const keys = candidates.map((u) => ctx.user.get({ username: u.username }).params().Key as Record<string, unknown>);
  const verified = (await batchGetAll(ctx, keys, { consistentRead: true })).map(toUserRecord).filter(isActiveAdmin);
  await ctx.counter.create({ name: ADMINS, value: verified.length }).go({ returnOnConditionCheckFailure: true });
}

/**
 * Takes one active admin out of the count before the write that removes one; LastAdminError when
 * it is the last (nothing written).
 */
export async function releaseAdminSeat(ctx: DynamoContext): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = await ctx.counter
      .patch({ name: ADMINS })
      .subtract({ value: 1 })
      .where(({ value }, { gt }) => gt(value, 1))
      .go({ returnOnConditionCheckFailure: true });
    if (!result.rejected) return;
    if ((await readCount(ctx)) !== undefined) break;
    await createCount(ctx);
  }
  throw new LastAdminError();
}

/** Gives a seat back: after a removal that did not happen, or after a promotion (when counted). */
export async function returnAdminSeat(ctx: DynamoContext): Promise<void> {
  await ctx.counter.patch({ name: ADMINS }).add({ value: 1 }).go({ returnOnConditionCheckFailure: true });
}

const BOOTSTRAP = 'admin_bootstrap';

/** Whether the admin bootstrap marker exists (strongly consistent). */
export async function adminBootstrapped(ctx: DynamoContext): Promise<boolean> {
  const { data } = await ctx.marker.get({ name: BOOTSTRAP }).go({ consistent: true });
  return data !== null;
}

/** Sets the admin bootstrap marker (a conditional create: the first one stays). */
export async function markAdminBootstrapped(ctx: DynamoContext): Promise<void> {
  await ctx.marker.create({ name: BOOTSTRAP, created_at: nowIso() }).go({ returnOnConditionCheckFailure: true });
}
