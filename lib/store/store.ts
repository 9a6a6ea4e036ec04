import type { TranscriptStatus } from '../model/status.js';

/**
 * The Store contract: the seed's DynamoStore, one interface with two adapters (DynamoDB through
 * ElectroDB, SQLite through better-sqlite3). Records are camelCase; the adapters map them to the
 * snake_case attributes and columns of the existing table and database.
 *
 * Errors (lib/errors.ts): ConflictError (username taken), LastAdminError (the change would leave no
 * active admin), NotFoundError (unknown id/filename on an update or delete), InvalidTransitionError
 * (status change not allowed, nothing written), StaleEventError (older upload event),
 * InvalidCursorError (cursor not issued by this listing), ValidationError (bad argument),
 * StoreUnavailableError (table/file cannot be used).
 */

export interface UserRecord {
  userId: number;
  username: string;
  email: string | null;
  hashedPassword: string;
  isActive: boolean;
  isAdmin: boolean;
  createdAt: string;
  updatedAt: string;
  yotoRefreshToken: string | null;
  yotoAccessToken: string | null;
  yotoTokenExpiresAt: string | null;
  /**
   * Bumped by every revocation (logout, password change, disabling): a session token carries the
   * value it was issued with and is refused once they differ. 0 for users written before it existed.
   */
  sessionVersion: number;
}

export interface AudioRecord {
  filename: string;
  size: number;
  /** Whole seconds, null when unknown. */
  duration: number | null;
  /** Null when there is none, or when it is stored in S3 (see transcriptS3Key). */
  transcript: string | null;
  transcriptStatus: TranscriptStatus;
  transcriptError: string | null;
  /** S3 key of a transcript too large for the row. */
  transcriptS3Key: string | null;
  createdAt: string;
  updatedAt: string;
  transcribedAt: string | null;
  /** S3 ETag of the recorded upload. */
  etag: string | null;
  /** S3 event sequencer of the recorded upload, normalized (right-padded) so strings compare. */
  sequencer: string | null;
}

/** A search result: the row, what matched, and a snippet of its transcript. */
export interface SearchHit extends AudioRecord {
  /** `filename` (also when the transcript matches too), `transcript`, or null for the empty query. */
  matched: 'filename' | 'transcript' | null;
  /**
   * At most 200 characters of the transcript around the first word the query matched (from its
   * start for a filename match), `…` where cut; null when the row holds no transcript text.
   */
  snippet: string | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque; present when there may be more items. */
  cursor?: string;
}

export interface PageOptions {
  /** 1–100, default 50. Anything else is a ValidationError. */
  limit?: number;
  cursor?: string;
}

export interface CreateUserInput {
  username: string;
  hashedPassword: string;
  email?: string | null;
  isAdmin?: boolean;
}

export interface UpdateUserInput {
  email?: string | null;
  hashedPassword?: string;
  isActive?: boolean;
  isAdmin?: boolean;
  /** Bump the session version in the same write, so every token issued before it is refused. */
  revokeSessions?: boolean;
}

export interface UpsertAudioInput {
  filename: string;
  size: number;
  duration?: number | null;
  etag?: string | null;
  /** Raw S3 sequencer (hex); the store normalizes it. An older one than stored → StaleEventError. */
  sequencer?: string | null;
}

export interface UpdateTranscriptInput {
  filename: string;
  transcript: string | null;
  status: 'completed' | 'failed';
  error?: string | null;
  transcriptS3Key?: string | null;
  /**
   * The text to index for word search when `transcript` is null because it is kept in S3
   * (ignored otherwise: a stored transcript is indexed from itself).
   */
  searchText?: string | null;
  /** When given, the write only applies if the row still records this upload (normalized or raw). */
  sequencer?: string | null;
}

export interface SetStatusInput {
  filename: string;
  status: TranscriptStatus;
  error?: string | null;
  sequencer?: string | null;
}

/**
 * How one login-throttle counter slows guessing: `free` failures without any wait, then a wait of
 * `baseDelayMs` after the next one, doubling with each further failure up to `maxDelayMs`; one
 * remembered failure is forgotten per `forgetOneEveryMs`, so a counter drains on its own.
 */
export interface ThrottleRule {
  free: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetOneEveryMs: number;
}

/** The Yoto OAuth tokens the Python service kept on its users (attributes `yoto_*`). */
export interface YotoTokens {
  refreshToken: string;
  accessToken: string | null;
  /** As the token endpoint gave it (the Python service stored ISO 8601 text). */
  expiresAt: string | null;
}

export interface SaveYotoTokensInput {
  refreshToken: string;
  /** Kept as stored when omitted (the Python service's save never cleared them). */
  accessToken?: string | null;
  expiresAt?: string | null;
  /** Write only while this owner holds the refresh lease (LockLostError otherwise). */
  lockOwner?: string;
  /** Release the lease in the same write (the Python service's `clear_lock`). */
  releaseLock?: boolean;
}

export interface YotoLockOptions {
  /** Lease length, default 30 s. */
  ttlSeconds?: number;
  /** The clock (tests). */
  now?: Date;
}

/** A counter to count an attempt on: its key (e.g. `account:alice`) and its rule. */
export interface ThrottleCounter {
  key: string;
  rule: ThrottleRule;
}

/** A counter as stored (epoch milliseconds); a counter never written reads as all zeros. */
export interface ThrottleState {
  /** Failures remembered when the last one was counted (before forgetting since). */
  failures: number;
  lastFailureAt: number;
  /** No attempt is let through on this counter before this moment. */
  nextAttemptAt: number;
}

/** The outcome of counting an attempt: let through, or refused with the wait left. */
export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface Store {
  listUsers(): Promise<UserRecord[]>;
  userCount(): Promise<number>;
  /** Case-insensitive; strongly consistent (a user created a moment ago is found). */
  getUser(username: string): Promise<UserRecord | undefined>;
  getUserById(userId: number): Promise<UserRecord | undefined>;
  /** ConflictError if the (case-insensitive) name exists. Ids are unique under concurrency. */
  createUser(input: CreateUserInput): Promise<UserRecord>;
  /**
   * NotFoundError if no such user; LastAdminError if it would leave no active admin (conditional
   * at the store, so two racing demotions cannot both pass).
   */
  updateUser(userId: number, changes: UpdateUserInput): Promise<UserRecord>;
  /** NotFoundError if no such user; LastAdminError for the last active admin. */
  deleteUser(userId: number): Promise<void>;
  /** Bumps the user's session version by name (logout): every earlier token is refused. No-op for an unknown name. */
  revokeSessions(username: string): Promise<void>;
  /**
   * Bootstraps the admin user once per table or database (username defaults to `admin`): while
   * no bootstrap marker exists it creates the user if missing (an existing one is kept as is) and
   * sets the marker; after that it never creates it again, even if it was deleted.
   */
  ensureAdminUser(input: { hashedPassword: string; email?: string | null; username?: string }): Promise<{
    user?: UserRecord;
    created: boolean;
  }>;
  /** Whether the admin bootstrap already happened on this table or database. */
  adminBootstrapped(): Promise<boolean>;

  // Yoto OAuth tokens of a user (the Python service's `save_yoto_tokens` and its refresh lease).
  /** Stores the tokens on the user; NotFoundError for an unknown user. */
  saveYotoTokens(username: string, input: SaveYotoTokensInput): Promise<void>;
  /** The stored tokens, or undefined when the user or its refresh token is missing. */
  loadYotoTokens(username: string): Promise<YotoTokens | undefined>;
  /**
   * Takes the refresh lease (default 30 s) for `owner` if it is free, expired or already the
   * owner's (then extended). True when taken; NotFoundError for an unknown user.
   */
  acquireYotoTokenLock(username: string, owner: string, options?: YotoLockOptions): Promise<boolean>;
  /** Releases the lease if `owner` holds it; true when it did. */
  releaseYotoTokenLock(username: string, owner: string): Promise<boolean>;

  /** Stable order (by filename), cursor pagination. */
  listAudioFiles(options?: PageOptions): Promise<Page<AudioRecord>>;
  /**
   * A case-insensitive substring of the filename, or (a one-word query of 3+ characters) a prefix
   * of a transcript word; each file at most once, in filename order. The empty query lists
   * everything. A page may hold fewer than `limit` items when candidates had to be checked; follow
   * the cursor. Queries over 1,024 bytes are a ValidationError.
   */
  searchAudioFiles(query: string, options?: PageOptions): Promise<Page<SearchHit>>;
  getAudioFile(filename: string): Promise<AudioRecord | undefined>;
  /**
   * Records an upload: creates the row as `pending`, or for a newer upload of the same key resets
   * it to `pending` with the new size/duration (created_at kept). Same sequencer as stored → no
   * change, returns the row. Older sequencer → StaleEventError.
   */
  upsertAudioFile(input: UpsertAudioInput): Promise<AudioRecord>;
  /** processing → completed|failed (pending → failed too); sets transcribed_at on completed. */
  updateTranscript(input: UpdateTranscriptInput): Promise<AudioRecord>;
  /** Any allowed transition; to `pending` clears transcript, error and transcribed_at. */
  setTranscriptStatus(input: SetStatusInput): Promise<AudioRecord>;
  /** NotFoundError if no such file. Removes its search index entries too. */
  deleteAudioFile(filename: string): Promise<void>;

  // Login-throttle counters, shared by every process on the store (lib/auth/throttle.ts picks the
  // counters and their rules; lib/store/login-failures.ts holds the arithmetic both adapters share).
  // Keys are opaque non-empty strings up to 1,500 bytes; `now` defaults to the clock. The counters
  // never appear in user or audio listings, counts or searches.
  /** The stored state of each key (zeros for a key never counted), read consistently. */
  loginFailures(keys: readonly string[], now?: Date): Promise<Record<string, ThrottleState>>;
  /**
   * Counts one failure on every counter, up front, unless one of them must still wait: then
   * nothing is counted and the longest wait is returned. Each counter's check and write are one
   * atomic step, so concurrent attempts cannot all slip through before any of them is counted;
   * counters are taken in the order given (most restrictive first).
   */
  recordLoginFailure(counters: readonly ThrottleCounter[], now?: Date): Promise<AttemptVerdict>;
  /**
   * After a right password: deletes the `clear` counters, and takes one failure (and the wait it
   * caused) back from each `uncount` counter; never below zero, a counter never written stays so.
   */
  clearLoginFailures(
    input: { clear: readonly string[]; uncount: readonly ThrottleCounter[] },
    now?: Date,
  ): Promise<void>;

  close(): Promise<void>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
