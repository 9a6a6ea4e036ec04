import { describeAwsError } from '../../aws-errors.js';
import { AppError, StoreUnavailableError } from '../../errors.js';

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

/**
 * Turns infrastructure failures into a StoreUnavailableError whose message names the cause and
 * the fix (missing table, no credentials, rejected credentials, access denied, throttling after
 * the SDK's retries, unreachable endpoint, missing index). The sentences come from
 * describeAwsError, shared with the migration CLI, with the fixes a service reads (environment
 * variables, not CLI flags). Domain errors and anything unrecognised pass through unchanged.
 */
export function mapDynamoError(error: unknown, target: Target): unknown {
  if (error instanceof AppError) return error;
  const message = describeAwsError(error, {
    table: target.tableName,
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    audience: 'service',
  });
  return message === undefined ? error : new StoreUnavailableError(message, { cause: unwrap(error) });
}
