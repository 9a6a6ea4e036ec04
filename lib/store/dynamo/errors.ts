import { AppError, StoreUnavailableError } from '../../errors.js';

/** Where the adapter points, for error messages that name the table and region. */
export interface Target {
  tableName: string;
  region: string;
  endpoint?: string;
}

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN'];

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
 * the fix (missing table, no credentials, access denied, unreachable endpoint). Domain errors and
 * anything unrecognised pass through unchanged.
 */
export function mapDynamoError(error: unknown, target: Target): unknown {
  if (error instanceof AppError) return error;
  const cause = unwrap(error) as { name?: string; code?: string; message?: string } | null;
  const name = cause?.name ?? '';
  const message = cause?.message ?? String(cause);
  const where = `table "${target.tableName}" in region ${target.region}${target.endpoint ? ` at ${target.endpoint}` : ''}`;
  if (name === 'ResourceNotFoundException') {
    return new StoreUnavailableError(
      `DynamoDB ${where} was not found. Deploy the stack (or create the table with createTable), or set DYNAMODB_TABLE to the name of an existing table and AWS_REGION to its region.`,
      { cause },
    );
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new StoreUnavailableError(
      `No AWS credentials found to use DynamoDB ${where}. Set AWS_PROFILE (after \`aws configure\` or \`aws sso login\`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in Lambda the execution role provides them.`,
      { cause },
    );
  }
  if (
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException' ||
    name === 'ExpiredTokenException'
  ) {
    return new StoreUnavailableError(
      `AWS rejected the credentials used for DynamoDB ${where} (${name}): refresh or replace them (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN).`,
      { cause },
    );
  }
  if (name === 'AccessDeniedException') {
    const match = /perform:\s*(\S+)\s+on resource:\s*(\S+)/i.exec(message);
    const what = match ? `${match[1]} on ${match[2]}` : `the DynamoDB action on ${where}`;
    return new StoreUnavailableError(
      `Access denied: the caller may not perform ${what}. Grant that action to the function's IAM role (or your user) for the table and its indexes (arn:…:table/${target.tableName}/index/*).`,
      { cause },
    );
  }
  const code = (cause as { code?: string } | null)?.code ?? (cause as { errno?: string } | null)?.errno;
  if (
    (code && NETWORK_CODES.includes(code)) ||
    name === 'TimeoutError' ||
    /ECONNREFUSED|ENOTFOUND|socket hang up/.test(message)
  ) {
    return new StoreUnavailableError(
      `Cannot reach DynamoDB for ${where} (${code ?? name}). Check DYNAMODB_ENDPOINT (unset it to use AWS, or start the local endpoint) and the network.`,
      { cause },
    );
  }
  return error;
}
