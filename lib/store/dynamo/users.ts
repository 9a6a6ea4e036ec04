import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, StoreUnavailableError, ValidationError } from '../../errors.js';
import { nowIso } from '../common.js';
import type { CreateUserInput, UpdateUserInput, UserRecord } from '../store.js';
import type { DynamoContext } from './context.js';
import { isConditionalCheckFailed } from './errors.js';
import { toUserRecord } from './records.js';

const OWN = { ignoreOwnership: true } as const;
/**
 * Counter ids already held by a legacy row are skipped; this bounds the skips per call. The
 * migration raises the counter above the largest legacy id (raiseUserIdCounter), so skips are rare.
 */
const MAX_ID_ATTEMPTS = 20;

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

/** Case-insensitive lookup by name: one GetItem on `user#<lower-cased name>`/`PROFILE`. */
export async function getUser(ctx: DynamoContext, username: string): Promise<UserRecord | undefined> {
  checkUsername(username);
  const { data } = await ctx.user.get({ username }).go(OWN);
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
 * Counts users with Select COUNT over the users partition of GSI1 (paginated). A counter item
 * would need a transaction to stay exact across create/delete, and dynalite has none; the count
 * reads only user index entries, so it grows with the users, not with the table.
 */
export async function userCount(ctx: DynamoContext): Promise<number> {
  const params = ctx.user.query.list({}).params() as Record<string, unknown>;
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(
      new QueryCommand({ ...params, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) } as never),
    );
    total += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return total;
}

/**
 * Takes the next id from the atomic counter (UpdateItem ADD), skipping ids a legacy row already
 * holds (checked on the by-id index), then creates the user with attribute_not_exists so a taken
 * name is a ConflictError. Two concurrent callers can never get the same counter value.
 */
export async function createUser(ctx: DynamoContext, input: CreateUserInput): Promise<UserRecord> {
  const username = checkUsername(input.username);
  if (typeof input.hashedPassword !== 'string' || input.hashedPassword === '') {
    throw new ValidationError('Invalid hashedPassword: it must be a non-empty string.');
  }
  if (await getUser(ctx, username)) throw taken(username);
  const userId = await nextUserId(ctx);
  const now = nowIso();
  const item = {
    user_id: userId,
    username,
    hashed_password: input.hashedPassword,
    is_active: true,
    is_admin: input.isAdmin ?? false,
    created_at: now,
    updated_at: now,
    ...(input.email ? { email: input.email } : {}),
  };
  try {
    await ctx.user.create(item).go();
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw taken(username);
    throw error;
  }
  return toUserRecord(item);
}

function taken(username: string): ConflictError {
  return new ConflictError(`Username "${username}" is already taken (names are case-insensitive); choose another.`);
}

async function nextUserId(ctx: DynamoContext): Promise<number> {
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
    const { data } = await ctx.counter.update({ name: 'user_id' }).add({ value: 1 }).go({ response: 'updated_new' });
    const id = Number(data?.value);
    if (!Number.isSafeInteger(id))
      throw new StoreUnavailableError('The user id counter item holds no number; repair COUNTER#user_id.');
    if (!(await getUserById(ctx, id))) return id;
  }
  throw new StoreUnavailableError(
    `The user id counter keeps returning ids already held by existing users; raise COUNTER#user_id above the largest user_id.`,
  );
}

/**
 * Raises the user id counter to at least `minimum` (never lowers it): the migration calls it with
 * the largest user_id it finds, so new ids start above every legacy id. True if it was raised.
 */
export async function raiseUserIdCounter(ctx: DynamoContext, minimum: number): Promise<boolean> {
  checkUserId(minimum);
  try {
    await ctx.counter
      .update({ name: 'user_id' })
      .set({ value: minimum })
      .where((a, { notExists, lt }) => `(${notExists(a.value)} OR ${lt(a.value, minimum)})`)
      .go();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false; // already at or above the minimum
    throw error;
  }
}

/** Applies the given changes to the user with this id (NotFoundError if none). */
export async function updateUser(ctx: DynamoContext, userId: number, changes: UpdateUserInput): Promise<UserRecord> {
  const current = await getUserById(ctx, userId);
  if (!current) throw new NotFoundError(`No user with id ${userId}.`);
  const set: Record<string, string | boolean> = { updated_at: nowIso() };
  const remove: 'email'[] = [];
  if (changes.email === null) remove.push('email');
  else if (changes.email !== undefined) set.email = changes.email;
  if (changes.hashedPassword !== undefined) set.hashed_password = changes.hashedPassword;
  if (changes.isActive !== undefined) set.is_active = changes.isActive;
  if (changes.isAdmin !== undefined) set.is_admin = changes.isAdmin;
  try {
    let op = ctx.user.patch({ username: current.username }).set(set);
    if (remove.length > 0) op = op.remove(remove);
    const guarded = op.where(({ user_id }, { eq }) => eq(user_id, userId));
    const { data } = await guarded.go({ ...OWN, response: 'all_new' });
    return toUserRecord(data as Record<string, unknown>);
  } catch (error) {
    // Deleted (or deleted and re-created under a new id) since the lookup.
    if (isConditionalCheckFailed(error)) throw new NotFoundError(`No user with id ${userId}.`);
    throw error;
  }
}

/** Deletes the user with this id (NotFoundError if none). */
export async function deleteUser(ctx: DynamoContext, userId: number): Promise<void> {
  const current = await getUserById(ctx, userId);
  if (!current) throw new NotFoundError(`No user with id ${userId}.`);
  try {
    await ctx.user
      .remove({ username: current.username })
      .where(({ user_id }, { eq }) => eq(user_id, userId))
      .go();
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(`No user with id ${userId}.`);
    throw error;
  }
}

/** Creates the admin user if it does not exist; never changes an existing one. */
export async function ensureAdminUser(
  ctx: DynamoContext,
  input: { hashedPassword: string; email?: string | null; username?: string },
): Promise<{ user: UserRecord; created: boolean }> {
  const username = input.username ?? 'admin';
  const existing = await getUser(ctx, username);
  if (existing) return { user: existing, created: false };
  try {
    const user = await createUser(ctx, {
      username,
      hashedPassword: input.hashedPassword,
      email: input.email ?? null,
      isAdmin: true,
    });
    return { user, created: true };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const user = await getUser(ctx, username);
    if (!user) throw error;
    return { user, created: false };
  }
}
