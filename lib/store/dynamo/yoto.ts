import { LockLostError, NotFoundError } from '../../errors.js';
import type { UserItem } from '../../model/user.js';
import { nowIso } from '../common.js';
import type { SaveYotoTokensInput, YotoLockOptions, YotoTokens } from '../store.js';
import { checkYotoLock, checkYotoOwner, checkYotoTokens } from '../yoto.js';
import type { DynamoContext } from './context.js';
import { getUser, storedUsername } from './users.js';

/**
 * The Yoto OAuth tokens and their refresh lease, on the user item with the Python service's
 * attribute names (`yoto_refresh_token`, `yoto_access_token`, `yoto_token_expires_at`,
 * `yoto_token_lock_owner`, `yoto_token_lock_expires_at`). Every write is one conditional
 * UpdateItem (ElectroDB patch: the user must exist, never a partial item as the Python store made),
 * after a read of the user's key for the name as stored (see storedUsername).
 */

const OWN = { ignoreOwnership: true } as const;
const LOCK_FIELDS = ['yoto_token_lock_owner', 'yoto_token_lock_expires_at'] as const;

async function missingUser(ctx: DynamoContext, username: string): Promise<boolean> {
  return (await getUser(ctx, username)) === undefined;
}

async function requiredName(ctx: DynamoContext, username: string): Promise<string> {
  const stored = await storedUsername(ctx, username);
  if (stored === undefined) throw new NotFoundError(`No user named "${username}".`);
  return stored;
}

/** Stores the tokens; with `lockOwner` only while that owner holds the lease (LockLostError). */
export async function saveYotoTokens(ctx: DynamoContext, username: string, input: SaveYotoTokensInput): Promise<void> {
  const tokens = checkYotoTokens(username, input);
  const set: Partial<UserItem> = { yoto_refresh_token: tokens.refreshToken, updated_at: nowIso() };
  const remove: ('yoto_access_token' | 'yoto_token_expires_at' | (typeof LOCK_FIELDS)[number])[] = [];
  if (typeof tokens.accessToken === 'string') set.yoto_access_token = tokens.accessToken;
  else if (tokens.accessToken === null) remove.push('yoto_access_token');
  if (typeof tokens.expiresAt === 'string') set.yoto_token_expires_at = tokens.expiresAt;
  else if (tokens.expiresAt === null) remove.push('yoto_token_expires_at');
  if (tokens.releaseLock) remove.push(...LOCK_FIELDS);
  let op = ctx.user.patch({ username: await requiredName(ctx, username) }).set(set);
  if (remove.length > 0) op = op.remove(remove);
  const owner = tokens.lockOwner;
  const guarded =
    owner === undefined ? op : op.where(({ yoto_token_lock_owner }, { eq }) => eq(yoto_token_lock_owner, owner));
  const result = await guarded.go({ ...OWN, returnOnConditionCheckFailure: true });
  if (!result.rejected) return;
  if (await missingUser(ctx, username)) throw new NotFoundError(`No user named "${username}".`);
  throw new LockLostError(
    `The Yoto token lease of "${username}" is no longer held by ${owner}; reload the tokens and retry.`,
  );
}

/** The tokens (strongly consistent), or undefined when the user or its refresh token is missing. */
export async function loadYotoTokens(ctx: DynamoContext, username: string): Promise<YotoTokens | undefined> {
  const user = await getUser(ctx, username);
  if (!user?.yotoRefreshToken) return undefined;
  return { refreshToken: user.yotoRefreshToken, accessToken: user.yotoAccessToken, expiresAt: user.yotoTokenExpiresAt };
}

/**
 * Takes the lease with one conditional write: free, expired (its ISO 8601 expiry sorts before
 * now, as the Python service compared it) or already this owner's (then extended).
 */
export async function acquireYotoTokenLock(
  ctx: DynamoContext,
  username: string,
  owner: string,
  options?: YotoLockOptions,
): Promise<boolean> {
  const { now, expiresAt } = checkYotoLock(username, owner, options);
  const result = await ctx.user
    .patch({ username: await requiredName(ctx, username) })
    .set({ yoto_token_lock_owner: owner, yoto_token_lock_expires_at: expiresAt })
    .where(
      ({ yoto_token_lock_owner: o, yoto_token_lock_expires_at: e }, { notExists, lt, eq }) =>
        `(${notExists(o)} OR ${lt(e, now)} OR ${eq(o, owner)})`,
    )
    .go({ ...OWN, returnOnConditionCheckFailure: true });
  if (!result.rejected) return true;
  if (await missingUser(ctx, username)) throw new NotFoundError(`No user named "${username}".`);
  return false;
}

/** Releases the lease if `owner` holds it (one conditional write); true when it did. */
export async function releaseYotoTokenLock(ctx: DynamoContext, username: string, owner: string): Promise<boolean> {
  checkYotoOwner(username, owner);
  const stored = await storedUsername(ctx, username);
  if (stored === undefined) return false;
  const result = await ctx.user
    .patch({ username: stored })
    .remove([...LOCK_FIELDS])
    .where(({ yoto_token_lock_owner }, { eq }) => eq(yoto_token_lock_owner, owner))
    .go({ ...OWN, returnOnConditionCheckFailure: true });
  return !result.rejected;
}
