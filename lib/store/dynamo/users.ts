import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, StoreCorruptError, ValidationError } from '../../errors.js';
import type { UserItem } from '../../model/user.js';
import { nowIso } from '../common.js';
import type { CreateUserInput, UpdateUserInput, UserRecord } from '../store.js';
import {
  adminBootstrapped,
  adminCountExists,
  isActiveAdmin,
  markAdminBootstrapped,
  releaseAdminSeat,
  returnAdminSeat,
} from './admins.js';
import type { DynamoContext } from './context.js';
import { errorName } from './errors.js';
import { toUserRecord } from './records.js';

const OWN = { ignoreOwnership: true } as const;
/**
 * Counter ids already held by a legacy row are skipped; this bounds the skips per call. The
 * migration raises the counter above the largest legacy id (raiseUserIdCounter), so skips are rare.
 */
const MAX_ID_ATTEMPTS = 20;
/** Attempts of a user change whose item changed between its read and its conditional write. */
const MAX_WRITE_ATTEMPTS = 3;

function checkUsername(username: string): string {
  if (typeof username !== 'string' || username.trim() === '') {
    throw new ValidationError('Invalid username: it must be a non-empty string.');
  }
  return username;
}

function checkUserId(userId: number): number {
  if (!Number.isSafeInteger(userId)) throw new ValidationError(`Invalid user id ${userId}: expected a whole number.`);
  return userId;
}

/**
 * Case-insensitive lookup by name: one strongly consistent GetItem on `user#<lower-cased
 * name>`/`PROFILE`, so a user created or changed a moment ago is seen as it is.
 */
export async function getUser(ctx: DynamoContext, username: string): Promise<UserRecord | undefined> {
  checkUsername(username);
  const { data } = await ctx.user.get({ username }).go({ ...OWN, consistent: true });
  return data ? toUserRecord(data) : undefined;
}

/** Lookup by id through the by-id index (GSI2): one Query. */
export async function getUserById(ctx: DynamoContext, userId: number): Promise<UserRecord | undefined> {
  checkUserId(userId);
  const { data } = await ctx.user.query.byId({ user_id: userId }).go({ ...OWN, limit: 1 });
  const [item] = data;
  return item ? toUserRecord(item) : undefined;
}

/** Every user, through the users partition of the list index (GSI1), all pages. */
export async function listUsers(ctx: DynamoContext): Promise<UserRecord[]> {
  const { data } = await ctx.user.query.list({}).go({ ...OWN, pages: 'all' });
  return data.map(toUserRecord);
}

/**
 * Counts users with Select COUNT over the users partition of GSI1 (paginated), a raw Query
 * because ElectroDB has no COUNT select. The count reads only user index entries, so it grows
 * with the users, not with the table.
 */
export async function userCount(ctx: DynamoContext): Promise<number> {
  const params = ctx.user.query.list({}).params();
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(
      new QueryCommand({ ...params, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    total += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return total;
}

/**
 * Takes the next id from the atomic counter (UpdateItem ADD), skipping ids a legacy row already
 * holds (checked on the by-id index), then creates the user with attribute_not_exists so a taken
 * name is a ConflictError. Two concurrent callers can never get the same counter value. A new
 * admin is counted as admins are (lib/store/dynamo/admins.ts).
 */
export async function createUser(ctx: DynamoContext, input: CreateUserInput): Promise<UserRecord> {
  const username = checkUsername(input.username);
  if (typeof input.hashedPassword !== 'string' || input.hashedPassword === '') {
    throw new ValidationError('Invalid hashedPassword: it must be a non-empty string.');
  }
  if (await getUser(ctx, username)) throw taken(username);
  const userId = await nextUserId(ctx);
  const isAdmin = input.isAdmin ?? false;
  const counted = isAdmin && (await adminCountExists(ctx));
  const now = nowIso();
  const item = {
    user_id: userId,
    username,
    hashed_password: input.hashedPassword,
    is_active: true,
    is_admin: isAdmin,
    created_at: now,
    updated_at: now,
    ...(input.email ? { email: input.email } : {}),
  };
  const result = await ctx.user.create(item).go({ returnOnConditionCheckFailure: true });
  if (result.rejected) throw taken(username);
  if (counted) await returnAdminSeat(ctx);
  return toUserRecord(item);
}

function taken(username: string): ConflictError {
  return new ConflictError(`Username "${username}" is already taken (names are case-insensitive); choose another.`);
}

const CORRUPT_COUNTER =
  'The user id counter item holds no whole number; repair COUNTER#user_id (set its value above the largest user_id).';

async function nextUserId(ctx: DynamoContext): Promise<number> {
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
    const id = Number(await addToUserIdCounter(ctx));
    if (!Number.isSafeInteger(id)) throw new StoreCorruptError(CORRUPT_COUNTER);
    if (!(await getUserById(ctx, id))) return id;
  }
  throw new StoreCorruptError(
    `The user id counter keeps returning ids already held by existing users; raise COUNTER#user_id above the largest user_id.`,
  );
}

/** ADD 1 to the counter; DynamoDB refuses it (ValidationException) only when the value is not a number. */
async function addToUserIdCounter(ctx: DynamoContext): Promise<unknown> {
  try {
    const { data } = await ctx.counter.update({ name: 'user_id' }).add({ value: 1 }).go({ response: 'updated_new' });
    return data?.value;
  } catch (error) {
    if (errorName(error) === 'ValidationException') throw new StoreCorruptError(CORRUPT_COUNTER, { cause: error });
    throw error;
  }
}

/**
 * Raises the user id counter to at least `minimum` (never lowers it): the migration calls it with
 * the largest user_id it finds, so new ids start above every legacy id. True if it was raised.
 */
export async function raiseUserIdCounter(ctx: DynamoContext, minimum: number): Promise<boolean> {
  checkUserId(minimum);
  const result = await ctx.counter
    .update({ name: 'user_id' })
    .set({ value: minimum })
    .where((a, { notExists, lt }) => `(${notExists(a.value)} OR ${lt(a.value, minimum)})`)
    .go({ returnOnConditionCheckFailure: true });
  return !result.rejected; // rejected: already at or above the minimum
}

/**
 * The user with this id as stored now: found on the by-id index, then re-read by name strongly
 * consistent (the index may lag a moment behind a change).
 */
async function currentUser(ctx: DynamoContext, userId: number): Promise<UserRecord> {
  const found = await getUserById(ctx, checkUserId(userId));
  const current = found && (await getUser(ctx, found.username));
  if (!current || current.userId !== userId) throw new NotFoundError(`No user with id ${userId}.`);
  return current;
}

/** ElectroDB's condition callback for user writes. */
type UserCondition = Parameters<ReturnType<ReturnType<DynamoContext['user']['patch']>['set']>['where']>[0];

/** The write condition: same id, and (when the write depends on them) the admin flags as read. */
function guard(userId: number, seen?: UserRecord): UserCondition {
  return (a, { eq, notExists }) => {
    const id = eq(a.user_id, userId);
    if (!seen) return id;
    // Absent flags read as is_admin false / is_active true (items the Python service wrote).
    const admin = seen.isAdmin ? eq(a.is_admin, true) : `(${notExists(a.is_admin)} OR ${eq(a.is_admin, false)})`;
    const active = seen.isActive ? `(${notExists(a.is_active)} OR ${eq(a.is_active, true)})` : eq(a.is_active, false);
    return `${id} AND ${admin} AND ${active}`;
  };
}

/**
 * Applies the changes to the user with this id (NotFoundError if none) in one conditional
 * UpdateItem; `revokeSessions` adds 1 to the session version in that same write. A change that
 * takes away the last active admin is a LastAdminError (see ./admins.ts for how that holds under
 * concurrency); a write that finds the item changed since its read is retried.
 */
export async function updateUser(ctx: DynamoContext, userId: number, changes: UpdateUserInput): Promise<UserRecord> {
  const set: Partial<UserItem> = {};
  if (typeof changes.email === 'string') set.email = changes.email;
  if (changes.hashedPassword !== undefined) set.hashed_password = changes.hashedPassword;
  if (changes.isActive !== undefined) set.is_active = changes.isActive;
  if (changes.isAdmin !== undefined) set.is_admin = changes.isAdmin;
  const flags = changes.isActive !== undefined || changes.isAdmin !== undefined;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await currentUser(ctx, userId);
    const before = isActiveAdmin(current);
    const after = (changes.isAdmin ?? current.isAdmin) && (changes.isActive ?? current.isActive);
    const losing = before && !after;
    if (losing) await releaseAdminSeat(ctx);
    const counted = !before && after && (await adminCountExists(ctx));
    let op = ctx.user.patch({ username: current.username }).set({ ...set, updated_at: nowIso() });
    if (changes.email === null) op = op.remove(['email']);
    if (changes.revokeSessions) op = op.add({ session_version: 1 });
    const result = await op
      .where(guard(userId, flags ? current : undefined))
      .go({ ...OWN, response: 'all_new', returnOnConditionCheckFailure: true });
    if (!result.rejected) {
      if (counted) await returnAdminSeat(ctx);
      return toUserRecord(result.data);
    }
    if (losing) await returnAdminSeat(ctx);
  }
  throw new ConflictError(`User ${userId} kept changing while it was being updated; retry.`);
}

/**
 * Deletes the user with this id (NotFoundError if none; LastAdminError for the last active
 * admin). Deleting an admin also sets the bootstrap marker, so a deleted admin is never
 * re-created at the next cold start, even by a bootstrap that crashed before setting it.
 */
export async function deleteUser(ctx: DynamoContext, userId: number): Promise<void> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await currentUser(ctx, userId);
    if (current.isAdmin) await markAdminBootstrapped(ctx);
    const losing = isActiveAdmin(current);
    if (losing) await releaseAdminSeat(ctx);
    const result = await ctx.user
      .remove({ username: current.username })
      .where(guard(userId, current))
      .go({ returnOnConditionCheckFailure: true });
    if (!result.rejected) return;
    if (losing) await returnAdminSeat(ctx);
  }
  throw new ConflictError(`User ${userId} kept changing while it was being deleted; retry.`);
}

/**
 * The name exactly as stored, for a patch of the user's item: ElectroDB's patch writes the key's
 * composite attribute back, so it must be given the stored letter case, not the caller's.
 */
export async function storedUsername(ctx: DynamoContext, username: string): Promise<string | undefined> {
  return (await getUser(ctx, username))?.username;
}

/**
 * Adds 1 to the session version of the user of this name (a read of its key, then one
 * UpdateItem); unknown names are a no-op.
 */
export async function revokeSessions(ctx: DynamoContext, username: string): Promise<void> {
  const stored = await storedUsername(ctx, checkUsername(username));
  if (stored === undefined) return;
  await ctx.user
    .patch({ username: stored })
    .add({ session_version: 1 })
    .where((a, { eq }) => eq(a.username, stored))
    .go({ ...OWN, returnOnConditionCheckFailure: true });
}

/**
 * Bootstraps the admin once per table: unless the marker says it happened, creates the user if
 * missing (an existing one is left as is), then sets the marker. Two racing cold starts create
 * one user (the other gets its ConflictError and reads it); a crash before the marker is set is
 * covered by deleteUser, which sets it before an admin can be deleted.
 */
export async function ensureAdminUser(
  ctx: DynamoContext,
  input: { hashedPassword: string; email?: string | null; username?: string },
): Promise<{ user?: UserRecord; created: boolean }> {
  const username = input.username ?? 'admin';
  if (await adminBootstrapped(ctx)) {
    const user = await getUser(ctx, username);
    return user ? { user, created: false } : { created: false };
  }
  let user = await getUser(ctx, username);
  let created = false;
  if (!user) {
    try {
      user = await createUser(ctx, {
        username,
        hashedPassword: input.hashedPassword,
        email: input.email ?? null,
        isAdmin: true,
      });
      created = true;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      user = await getUser(ctx, username);
    }
  }
  await markAdminBootstrapped(ctx);
  return user ? { user, created } : { created };
}
