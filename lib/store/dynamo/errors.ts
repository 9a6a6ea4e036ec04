import { describeAwsError } from '../../aws-errors.js';
import { AppError, StoreMisconfiguredError, StoreUnavailableError } from '../../errors.js';

/** Where the adapter points, for error messages that name the table and region. */
export interface Target {
  tableName: string;
  region: string;
  endpoint?: string;
}

/** ElectroDB wraps the SDK's error; the AWS one (with its name) is the `cause`. */
export function unwrap(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    const isElectro = (current as { isElectroError?: boolean } | null)?.isElectroError === true;
    if (!isElectro || cause === undefined) return current;
    current = cause;
  }
  return current;
}

/** The AWS error name (e.g. ConditionalCheckFailedException) behind an ElectroDB error. */
export function errorName(error: unknown): string | undefined {
  const e = unwrap(error) as { name?: string; code?: string } | null;
  return e?.name ?? e?.code;
}

/** Whether a write was refused by its condition (the row changed, or does not exist). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** Throttling answers of DynamoDB (and the generic AWS ones) that outlasted the SDK's own retries. */
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface Failure {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown[];
}

/** The SDK error behind ElectroDB's wrapper, and the members of an AggregateError (happy eyeballs). */
function failures(error: unknown): Failure[] {
  const root = unwrap(error) as Failure | null;
  if (!root || typeof root !== 'object') return [];
  return [root, ...((root.errors ?? []).filter((e) => e && typeof e === 'object') as Failure[])];
}

/**
 * Whether a later attempt may succeed: throttling, an endpoint that cannot be reached (or timed
 * out), or a 5xx answer. A missing table or index, bad credentials and access denied are not.
 */
function isTransientStoreFailure(error: unknown): boolean {
  return failures(error).some(
    (f) =>
      THROTTLING.has(f.name ?? '') ||
      NETWORK_CODES.has(f.code ?? '') ||
      f.name === 'TimeoutError' ||
      (f.$metadata?.httpStatusCode ?? 0) >= 500 ||
      /ECONNREFUSED|socket hang up/.test(f.message ?? ''),
  );
}

/**
 * Turns infrastructure failures into a store error whose message names the cause and the fix
 * (missing table, no credentials, rejected credentials, access denied, throttling after the SDK's
 * retries, unreachable endpoint, missing index, a 5xx answer). The transient kinds become
 * StoreUnavailableError, which the state machine retries; the ones retrying cannot fix become
 * StoreMisconfiguredError. The sentences come from describeAwsError, shared with the migration
 * CLI, with the fixes a service reads (environment variables, not CLI flags). Domain errors and
 * anything unrecognised pass through unchanged.
 */
export function mapDynamoError(error: unknown, target: Target): unknown {
  if (error instanceof AppError) return error;
  const transient = isTransientStoreFailure(error);
  const message =
    describeAwsError(error, {
      table: target.tableName,
      region: target.region,
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      audience: 'service',
    }) ?? (transient ? serverFailure(error, target) : undefined);
  if (message === undefined) return error;
  const options = { cause: unwrap(error) };
  return transient ? new StoreUnavailableError(message, options) : new StoreMisconfiguredError(message, options);
}

/** DynamoDB answered 5xx (InternalServerError, ServiceUnavailable) even after the SDK's retries. */
function serverFailure(error: unknown, target: Target): string {
  const failure = failures(error)[0] ?? {};
  const status = failure.$metadata?.httpStatusCode;
  return (
    `DynamoDB failed on table "${target.tableName}" in region ${target.region} and the retries ran out ` +
    `(${failure.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}: ${failure.message ?? ''}). ` +
    'This is on the service side: retry shortly; if it persists, check the AWS Health Dashboard for DynamoDB in that region.'
  );
}
