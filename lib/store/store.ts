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
 * Failed logins of one account in the current fixed windows: the clock minute and the clock hour
 * (epoch minute and epoch hour, UTC). A window's count starts at 0 when it begins, so nothing
 * counted ever outlives its hour.
 */
export interface LoginFailures {
  /** Failures counted in the current minute window. */
  minute: number;
  /** Failures counted in the current hour window. */
  hour: number;
  /** Seconds until the minute window ends (1–60). */
  minuteEndsInSeconds: number;
  /** Seconds until the hour window ends (1–3,600). */
  hourEndsInSeconds: number;
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

  // Failed-login counters, shared by every process on the store (lib/auth/throttle.ts applies the
  // limits). Usernames are lower-cased and need not exist; `now` (default: the clock) picks the
  // windows. They never appear in user or audio listings, counts or searches.
  /** Counts of the current windows (0 for none). */
  loginFailures(username: string, now?: Date): Promise<LoginFailures>;
  /** Adds one failure to each current window (atomic increments: no lost updates); returns the new counts. */
  recordLoginFailure(username: string, now?: Date): Promise<LoginFailures>;
  /** Forgets the account's failures (after a successful login). */
  clearLoginFailures(username: string, now?: Date): Promise<void>;

  close(): Promise<void>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
