import { hashPassword } from '../auth/passwords.js';
import { ConflictError } from '../errors.js';
import { mapLimit } from '../store/dynamo/batch.js';
import type { Store } from '../store/store.js';
import { type RejectedImportRow, readUsersFile, validateRows } from './users-file.js';

/**
 * `import-users`: creates users in bulk through the Store (so ids, keys and uniqueness follow the
 * same rules as the admin API), passwords hashed as argon2id by lib/auth/passwords.ts. Invalid
 * rows and names that already exist are rejected with their reasons; the others are created.
 */

export interface ImportReport {
  created: { line: number; username: string; userId: number }[];
  rejected: RejectedImportRow[];
  /** Rows that passed validation and name no existing user (created, or would be in a dry run). */
  accepted: number;
  dryRun: boolean;
}

export interface ImportDeps {
  store: Store;
  hash?: (password: string) => Promise<string>;
  /** Rows hashed and created at once; argon2 is CPU-bound, so this stays small (default 2). */
  concurrency?: number;
}

/** Imports the users of a .csv or .json file; `dryRun` validates only. */
export async function importUsers(
  path: string,
  deps: ImportDeps,
  options: { dryRun?: boolean } = {},
): Promise<ImportReport> {
  const { valid, rejected } = validateRows(readUsersFile(path));
  const report: ImportReport = { created: [], rejected, accepted: 0, dryRun: Boolean(options.dryRun) };
  const hash = deps.hash ?? hashPassword;
  await mapLimit(valid, deps.concurrency ?? 2, async (row) => {
    if (await deps.store.getUser(row.username)) {
      rejected.push({ line: row.line, username: row.username, reason: 'a user with this name already exists' });
      return;
    }
    report.accepted++;
    if (options.dryRun) return;
    try {
      const user = await deps.store.createUser({
        username: row.username,
        hashedPassword: await hash(row.password),
        email: row.email,
        isAdmin: row.isAdmin,
      });
      report.created.push({ line: row.line, username: user.username, userId: user.userId });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      report.accepted--;
      rejected.push({ line: row.line, username: row.username, reason: 'a user with this name already exists' });
    }
  });
  report.created.sort((a, b) => a.line - b.line);
  rejected.sort((a, b) => a.line - b.line);
  return report;
}
