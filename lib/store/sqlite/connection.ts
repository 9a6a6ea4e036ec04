import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { AppError, StoreCorruptError, StoreMisconfiguredError, StoreUnavailableError } from '../../errors.js';

/** How long one statement waits for another connection's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;
/** Extra attempts after a busy timeout ran out (a hot file under many processes). */
const BUSY_RETRIES = 4;

type Statement = Database.Statement<unknown[], unknown>;

/**
 * One better-sqlite3 connection with its prepared statements cached by SQL text, so every
 * operation after the first skips the parser. Write transactions start with BEGIN IMMEDIATE: the
 * write lock is taken up front, so two writers never deadlock upgrading a read lock, and the busy
 * timeout (not an error) is what a second writer sees.
 */
export class Connection {
  readonly #statements = new Map<string, Statement>();

  constructor(
    readonly db: Database.Database,
    readonly path: string,
  ) {}

  /** The cached prepared statement for `sql`. */
  statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one BEGIN IMMEDIATE transaction; SQLITE_BUSY after the timeout is retried. */
  async write<T>(work: () => T): Promise<T> {
    const transaction = this.db.transaction(work);
    return this.#retrying(() => transaction.immediate());
  }

  /** Runs a read; WAL readers never wait for writers, so no transaction is needed for one query. */
  async read<T>(work: () => T): Promise<T> {
    return this.#retrying(work);
  }

  /** Runs `work` on the open connection, retrying SQLITE_BUSY/LOCKED a few times with jitter. */
  async #retrying<T>(work: () => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.#guard(work);
      } catch (error) {
        if (!isBusy(error) || attempt >= BUSY_RETRIES) throw translateError(error, this.path);
        await sleep(20 + Math.random() * 80 * (attempt + 1));
      }
    }
  }

  /** Closes the connection; later calls answer with StoreUnavailableError. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  #guard<T>(work: () => T): T {
    if (!this.db.open) {
      throw new StoreUnavailableError(`The SQLite store at ${this.path} was closed; open a new store.`);
    }
    return work();
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Turns SQLite failures that mean "this file cannot be used" into a store error naming the file
 * and the fix: StoreUnavailableError when a later attempt may succeed (locked, disk full, I/O
 * error), which the state machine retries; StoreMisconfiguredError (StoreCorruptError for a
 * corrupt file) when only the operator can fix it. Domain and programming errors pass through.
 */
export function translateError(error: unknown, path: string): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const move = `point DATABASE_URL at another file (sqlite:///absolute/path.db) or move ${path} away so a new database is created`;
  const options = { cause: error };
  if (code.startsWith('SQLITE_NOTADB')) {
    return new StoreMisconfiguredError(`${path} is not a SQLite database: ${move}.`, options);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreCorruptError(`The SQLite database ${path} is corrupt: restore a backup, or ${move}.`, options);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return new StoreMisconfiguredError(
      `Cannot open the SQLite database ${path}: check that its directory exists and is writable by this user, or point DATABASE_URL (or DATA_DIR) at a writable location.`,
      options,
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreMisconfiguredError(
      `The SQLite database ${path} is read-only: make the file and its directory writable (WAL needs to create ${path}-wal and ${path}-shm beside it), or point DATABASE_URL elsewhere.`,
      options,
    );
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new StoreUnavailableError(`The disk holding ${path} is full: free space and retry.`, options);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreUnavailableError(
      `The SQLite database ${path} stayed locked by another process: retry, or stop the process holding a long write transaction on it.`,
      options,
    );
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new StoreUnavailableError(`I/O error on the SQLite database ${path} (${code}): check the disk.`, options);
  }
  return error;
}

/**
 * Opens (creating if missing, with its parent directory) a SQLite file configured for several
 * concurrent processes: WAL so readers never block, a busy timeout so writers queue instead of
 * failing, synchronous=NORMAL (with WAL a crash cannot corrupt the file; a power cut may lose the
 * last commits) and enforced foreign keys.
 */
export function openConnection(file: string): Connection {
  const memory = file === ':memory:';
  const path = memory ? file : resolve(file);
  try {
    if (!memory) mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StoreMisconfiguredError(
      `Cannot create the directory ${dirname(path)} for the SQLite database (${reason}): point DATABASE_URL (or DATA_DIR) at a writable location.`,
      { cause: error },
    );
  }
  let db: Database.Database | undefined;
  try {
    // better-sqlite3's `timeout` is SQLite's busy timeout (no PRAGMA busy_timeout needed).
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    // The first statement that reads the header: a file that is not a database fails here.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return new Connection(db, path);
  } catch (error) {
    db?.close();
    throw translateError(error, path);
  }
}
