import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describeAwsError } from '../aws-errors.js';
import { AppError } from '../errors.js';

/** Options every command takes. */
export interface ConnectionOptions {
  endpoint?: string;
  region?: string;
  table?: string;
}

const LOOPBACK = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?\/?$/i;

/**
 * A DynamoDB client for the CLI: adaptive retry mode (it slows down on throttling instead of
 * failing), more attempts than the default, and dummy credentials for a loopback endpoint when
 * none are configured (dynalite accepts any).
 */
export function createClient(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): DynamoDBClient {
  const local = options.endpoint && LOOPBACK.test(options.endpoint);
  const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return new DynamoDBClient({
    region: regionOf(options, env),
    retryMode: 'adaptive',
    maxAttempts: 5,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(local && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

export function regionOf(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  return options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * The message printed for a failed command: the AWS failure explained (cause and fix), a domain
 * error's own message, or the error's message; never a stack trace.
 */
export function errorMessage(error: unknown, options: ConnectionOptions & { action?: string }): string {
  const described = describeAwsError(error, {
    ...(options.table ? { table: options.table } : {}),
    region: regionOf(options),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.action ? { action: options.action } : {}),
  });
  if (described) return described;
  if (error instanceof AppError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
