import type { Config } from '../config.js';
import { StoreUnavailableError } from '../errors.js';
import type { Store } from './store.js';

/**
 * A Store opened on its first call rather than at startup, so that a Lambda function that never
 * touches the store never evaluates its modules (ElectroDB, the DynamoDB SDK, better-sqlite3).
 * The modules are loaded with dynamic `import()`, which the bundler turns into a lazily evaluated
 * part of the same file.
 */

/** Every Store method; `satisfies` turns a method added to Store into a type error until listed. */
const STORE_METHODS = {
  listUsers: true,
  userCount: true,
  getUser: true,
  getUserById: true,
  createUser: true,
  updateUser: true,
  deleteUser: true,
  revokeSessions: true,
  ensureAdminUser: true,
  adminBootstrapped: true,
  saveYotoTokens: true,
  loadYotoTokens: true,
  acquireYotoTokenLock: true,
  releaseYotoTokenLock: true,
  listAudioFiles: true,
  searchAudioFiles: true,
  getAudioFile: true,
  upsertAudioFile: true,
  updateTranscript: true,
  setTranscriptStatus: true,
  deleteAudioFile: true,
  loginFailures: true,
  recordLoginFailure: true,
  clearLoginFailures: true,
  close: true,
} as const satisfies Record<keyof Store, true>;

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * A Store whose methods open the real one (once, shared by concurrent first calls) and forward to
 * it. An error from opening, e.g. a StoreUnavailableError, rejects the call that triggered it and
 * the next call tries again, so one failed open does not break the process for good. `close()`
 * before anything was opened opens nothing; later calls then fail like a closed adapter's.
 */
export function lazyStore(open: () => Store | Promise<Store>): Store {
  let opening: Promise<Store> | undefined;
  let closedUnopened = false;
  const opened = (): Promise<Store> => {
    if (closedUnopened) {
      return Promise.reject(new StoreUnavailableError('The store was closed before it was used; open a new store.'));
    }
    opening ??= Promise.resolve()
      .then(open)
      .catch((error: unknown) => {
        opening = undefined;
        throw error;
      });
    return opening;
  };
  const forwarding: Record<string, AnyMethod> = {};
  for (const name of Object.keys(STORE_METHODS) as (keyof Store)[]) {
    forwarding[name] = async (...args) => {
      const store = await opened();
      return (store[name] as AnyMethod).apply(store, args);
    };
  }
  forwarding.close = async () => {
    if (!opening) {
      closedUnopened = true;
      return;
    }
    // A store that failed to open holds nothing to release.
    const store = await opening.catch(() => undefined);
    await store?.close();
  };
  return forwarding as unknown as Store;
}

/**
 * The store `config` asks for, as openStore (./index.ts) picks it, opened on first use: with
 * `DYNAMODB_TABLE` set only the DynamoDB adapter is loaded (the SQLite one never runs in AWS),
 * otherwise openStore's module is.
 */
export function openStoreLazily(config: Config): Store {
  return lazyStore(async () => {
    if (!config.DYNAMODB_TABLE) {
      const { openConfiguredStore } = await import('./index.js');
      return openConfiguredStore(config);
    }
    const { openDynamoStore } = await import('./dynamo.js');
    return openDynamoStore(config.DYNAMODB_TABLE, config);
  });
}
