import { ConflictError, NotFoundError } from '../errors.js';
import type { Store, UpdateUserInput, UserRecord } from '../store/store.js';
import { hashPassword } from './passwords.js';

/** A user as the API shows it: never the password hash or third-party tokens. */
export interface PublicUser {
  id: number;
  username: string;
  email: string | null;
  is_active: boolean;
  is_admin: boolean;
  created_at: string;
}

/** Maps a stored user to its public shape. */
export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.userId,
    username: user.username,
    email: user.email,
    is_active: user.isActive,
    is_admin: user.isAdmin,
    created_at: user.createdAt,
  };
}

/** Creates a user with an argon2id hash; ConflictError if the name is taken (any casing). */
export async function createUser(
  input: { username: string; password: string; email?: string | null; isAdmin?: boolean },
  store: Store,
): Promise<UserRecord> {
  return store.createUser({
    username: input.username,
    hashedPassword: await hashPassword(input.password),
    email: input.email ?? null,
    isAdmin: input.isAdmin ?? false,
  });
}

export interface UserChanges {
  email?: string | null;
  password?: string;
  isActive?: boolean;
  isAdmin?: boolean;
}

/**
 * Changes a user. An admin cannot demote or disable their own account (another admin must); no
 * change may leave the system without an active admin (the store refuses it with a
 * LastAdminError, conditionally, so two admins demoting each other at once cannot both pass). A
 * new password or disabling revokes the user's sessions in the same write.
 */
export async function updateUser(
  actor: UserRecord,
  userId: number,
  changes: UserChanges,
  store: Store,
): Promise<UserRecord> {
  const target = await store.getUserById(userId);
  if (!target) throw new NotFoundError(`User ${userId} not found.`);
  const losesAdmin = target.isAdmin && target.isActive && (changes.isAdmin === false || changes.isActive === false);
  if (losesAdmin && target.userId === actor.userId) {
    throw new ConflictError('You cannot remove your own admin rights or disable yourself; ask another admin.');
  }
  const update: UpdateUserInput = {};
  if (changes.email !== undefined) update.email = changes.email;
  if (changes.isActive !== undefined) update.isActive = changes.isActive;
  if (changes.isAdmin !== undefined) update.isAdmin = changes.isAdmin;
  if (changes.password !== undefined) update.hashedPassword = await hashPassword(changes.password);
  if (changes.password !== undefined || changes.isActive === false) update.revokeSessions = true;
  return store.updateUser(userId, update);
}

/** Deletes a user; not oneself, and never the last active admin (LastAdminError from the store). */
export async function deleteUser(actor: UserRecord, userId: number, store: Store): Promise<UserRecord> {
  const target = await store.getUserById(userId);
  if (!target) throw new NotFoundError(`User ${userId} not found.`);
  if (target.userId === actor.userId) throw new ConflictError('You cannot delete your own account; ask another admin.');
  await store.deleteUser(userId);
  return target;
}
