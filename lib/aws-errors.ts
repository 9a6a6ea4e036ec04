/**
 * Turns the common AWS failures into one sentence that names the cause and the fix, for the CLI,
 * the store adapter and anything else that talks to DynamoDB. Unknown errors give `undefined` so
 * the caller can rethrow them unchanged.
 */

import { AppError } from './errors.js';

/**
 * Who reads the message. The migration CLI takes flags (--table, --endpoint, --concurrency);
 * the functions and the local server read only environment variables, so naming a flag there
 * would send the reader looking for one that does not exist.
 */
export type AwsErrorAudience = 'cli' | 'service';

export interface AwsErrorContext {
  /** Table the call was made against. */
  table?: string;
  region?: string;
  /** Custom endpoint (dynalite, LocalStack), when one is used. */
  endpoint?: string;
  /** The API action, e.g. `BatchWriteItem`, used when the error message does not name it. */
  action?: string;
  /** Which fixes to name; `cli` by default. */
  audience?: AwsErrorAudience;
}

/** The parts of a fix that depend on who reads it; the rest of each message is shared. */
const FIXES: Record<
  AwsErrorAudience,
  Record<'tableFlags' | 'endpoint' | 'localKeys' | 'grantee' | 'throttled', string>
> = {
  cli: {
    tableFlags: ' (or pass --table and --region)',
    endpoint: '--endpoint / DYNAMODB_ENDPOINT',
    localKeys: 'for a local endpoint (dynalite) pass --endpoint / DYNAMODB_ENDPOINT, where any dummy keys work',
    grantee: 'the IAM role or user in use',
    throttled:
      'Run again later (the migration resumes where it stopped), lower --concurrency, or give the table more capacity (on-demand billing).',
  },
  service: {
    tableFlags: '',
    endpoint: 'DYNAMODB_ENDPOINT',
    localKeys:
      'in Lambda the execution role provides them; for a local endpoint (DYNAMODB_ENDPOINT, e.g. dynalite) any dummy keys work',
    grantee: "the function's execution role (or the IAM user in use when run locally)",
    throttled:
      'Retry shortly, or give the table more capacity (on-demand billing, or more provisioned read/write capacity).',
  },
};

interface ErrorShape {
  name?: string;
  code?: string;
  errno?: string | number;
  message?: string;
  __type?: string;
  cause?: unknown;
  errors?: unknown[];
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
]);
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);

/** Follows `cause` links (ElectroDB and our own errors wrap the SDK's) and AggregateError members. */
function chain(error: unknown): ErrorShape[] {
  const seen: ErrorShape[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const shape = current as ErrorShape;
    if (seen.includes(shape)) break;
    seen.push(shape);
    for (const inner of shape.errors ?? []) if (inner && typeof inner === 'object') seen.push(inner as ErrorShape);
    current = shape.cause;
  }
  return seen;
}

/** `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` → `ResourceNotFoundException`. */
function nameOf(shape: ErrorShape): string {
  const type = shape.__type?.split('#').pop();
  if (shape.name && shape.name !== 'Error') return shape.name;
  return type ?? shape.code ?? shape.name ?? '';
}

function where(context: AwsErrorContext): string {
  const table = context.table ? `table "${context.table}"` : 'the table';
  const region = context.region ? ` in region ${context.region}` : '';
  const endpoint = context.endpoint ? ` at ${context.endpoint}` : '';
  return `${table}${region}${endpoint}`;
}

/**
 * Describes an AWS failure for a person: what went wrong, where (table, region, action) and what
 * to do about it. Returns undefined for errors it does not recognise.
 */
export function describeAwsError(error: unknown, context: AwsErrorContext = {}): string | undefined {
  for (const shape of chain(error)) {
    const text = describeOne(shape, context);
    if (text) return text;
  }
  return undefined;
}

function describeOne(shape: ErrorShape, context: AwsErrorContext): string | undefined {
  // Our own errors are never AWS failures (a StoreUnavailableError already carries a described
  // message, which quotes the AWS one); what they wrap is looked at next, through `cause`.
  if (shape instanceof AppError) return undefined;
  const fix = FIXES[context.audience ?? 'cli'];
  const name = nameOf(shape);
  const message = shape.message ?? '';
  const code = typeof shape.code === 'string' ? shape.code : typeof shape.errno === 'string' ? shape.errno : '';

  if (name === 'ResourceNotFoundException') {
    return (
      `DynamoDB ${where(context)} was not found (${message || 'ResourceNotFoundException'}). ` +
      `Check the name and region: set DYNAMODB_TABLE=<table name> and AWS_REGION=<its region>${fix.tableFlags}, ` +
      'or create it with `npm run migrate -- create-table --table <name>` / deploy the stack.'
    );
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return (
      `No AWS credentials found for DynamoDB ${where(context)}. ` +
      'Set AWS_PROFILE (after `aws configure` or `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; ' +
      `${fix.localKeys}.`
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return (
      `AWS rejected the credentials used for DynamoDB ${where(context)} (${name}: ${message}). ` +
      'Refresh or replace them: `aws sso login`, a valid AWS_PROFILE, or current AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN.'
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    const match = /(?:User|Principal):\s*(\S+)\s+is not authorized to perform:\s*(\S+)\s+on resource:\s*(\S+)/i.exec(
      message,
    );
    const who = match?.[1] ?? 'the caller';
    const action = match?.[2] ?? (context.action ? `dynamodb:${context.action}` : 'the DynamoDB action');
    const resource = match?.[3] ?? where(context);
    return (
      `Access denied: ${who} may not perform ${action} on ${resource}. ` +
      `Grant ${action} on the table and its indexes (arn:aws:dynamodb:${context.region ?? '<region>'}:<account>:table/${context.table ?? '<table>'} and …/index/*) ` +
      `to ${fix.grantee}, or use credentials that have it.`
    );
  }
  if (THROTTLING.has(name)) {
    return `DynamoDB throttled ${context.action ?? 'requests'} on ${where(context)} and the retries ran out (${name}). ${fix.throttled}`;
  }
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND|socket hang up/.test(message)) {
    return (
      `Cannot reach DynamoDB${context.endpoint ? ` at ${context.endpoint}` : ''} for ${where({ ...context, endpoint: undefined })} (${code || name}: ${message}). ` +
      `Check ${fix.endpoint} (start dynalite, or leave it unset to use AWS) and the network.`
    );
  }
  if (name === 'ValidationException' && /specified index|index.*not.*exist/i.test(message)) {
    return (
      `DynamoDB ${where(context)} lacks an index this code needs (${message}). ` +
      'It was not created from TABLE_DEFINITION: redeploy the stack or recreate it with `npm run migrate -- create-table`.'
    );
  }
  if (name === 'UnknownOperationException') {
    return `The endpoint behind ${where(context)} does not support ${context.action ?? 'this operation'} (${message}); use real DynamoDB or an emulator that implements it.`;
  }
  return undefined;
}
