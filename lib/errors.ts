/**
 * Domain errors. Each is a small named class so HTTP functions can map them to a status in one
 * place and Step Functions can `Catch` them by name (the Lambda runtime reports `error.name`).
 */

/** Base class: `status` is the HTTP status the API answers with; `name` is the class name. */
export class AppError extends Error {
  readonly status: number = 500;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The status under the name @middy/http-error-handler reads. */
  get statusCode(): number {
    return this.status;
  }

  /** Whether @middy/http-error-handler may show the message to the caller: never for a 5xx. */
  get expose(): boolean {
    return this.status < 500;
  }
}

/** Bad input: the message names the field or value and how to fix it. */
export class ValidationError extends AppError {
  override readonly status: number = 400;
}

/** A pagination cursor that was not issued by us (tampered, truncated, or from another listing). */
export class InvalidCursorError extends ValidationError {
  constructor(
    message = 'Invalid cursor: pass back the next_cursor value of the previous page unchanged, or omit it to start from the first page.',
  ) {
    super(message);
  }
}

export class UnauthorizedError extends AppError {
  override readonly status: number = 401;
}

export class ForbiddenError extends AppError {
  override readonly status: number = 403;
}

export class NotFoundError extends AppError {
  override readonly status: number = 404;
}

/** The thing already exists (e.g. a username), or a concurrent writer won. */
export class ConflictError extends AppError {
  override readonly status: number = 409;
}

/** A transcript status change that the transition table does not allow; nothing was written. */
export class InvalidTransitionError extends ConflictError {
  constructor(
    readonly filename: string,
    readonly from: string | undefined,
    readonly to: string,
  ) {
    super(
      from === undefined
        ? `Cannot set transcript status of "${filename}" to ${to}: the audio file does not exist.`
        : `Cannot change transcript status of "${filename}" from ${from} to ${to}.`,
    );
  }
}

/** An S3 event older than the upload already recorded for the key; it must change nothing. */
export class StaleEventError extends ConflictError {}

/** The uploaded object is not audio we can process (empty, too short/long/large, wrong format). */
export class UnsupportedMediaError extends AppError {
  override readonly status: number = 415;
}

export class PayloadTooLargeError extends AppError {
  override readonly status: number = 413;
}

export class TooManyRequestsError extends AppError {
  override readonly status: number = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }

  /** Response headers @middy/http-error-handler adds to the 429. */
  get headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/** Configuration is missing or invalid; raised at start-up, the message names the variable. */
export class ConfigError extends AppError {}

/**
 * The backing store (DynamoDB table, SQLite file) cannot be used. The message names the cause and
 * the fix. Raised under this name, the failure is one a later attempt may not meet (throttling,
 * an unreachable endpoint, a 5xx answer), and the state machine retries it by this name.
 */
export class StoreUnavailableError extends AppError {
  override readonly status: number = 503;
}

/** The thing existed but is gone for good (e.g. a large transcript's object was deleted from S3). */
export class GoneError extends AppError {
  override readonly status: number = 410;
}

/** The change would leave no active admin (demoting, disabling or deleting the last one); nothing was written. */
export class LastAdminError extends ConflictError {
  constructor(message = 'This is the last active admin; make another user an admin first.') {
    super(message);
  }
}

/** A write that needed a lease (the Yoto token refresh lock) found it held by another owner or expired. */
export class LockLostError extends ConflictError {}

/**
 * The store cannot be used as configured (missing table or index, missing or rejected
 * credentials, access denied): retrying cannot fix it, so its name differs from
 * StoreUnavailableError's and the state machine does not retry it. Still a StoreUnavailableError
 * for code that only asks "can the store be used?".
 */
export class StoreMisconfiguredError extends StoreUnavailableError {}
