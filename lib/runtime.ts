import { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LoginThrottle } from './auth/throttle.js';
import type { TokenService } from './auth/tokens.js';
import { type Config, loadConfig } from './config.js';
import type { ExecutionStarter, Transcriber } from './ingest/ports.js';
import { openStoreLazily } from './store/lazy.js';
import type { Store } from './store/store.js';

/**
 * The composition root: every function gets its dependencies from here, created lazily once per
 * Lambda container (or once per local process). Functions never ask "am I local?"; local mode
 * and tests install their own adapters with `setDeps`.
 *
 * The store's modules (ElectroDB and the DynamoDB SDK in AWS, SQLite only without a table) are
 * evaluated on the store's first call, and the S3 SDK on `s3Of`'s first call, so a function that
 * never uses them (on-upload, health) never evaluates them.
 *
 * Ports added by the API and pipeline (token keys, transcriber, execution starter) are optional
 * fields created on first use by their own getters, so a function's cold start only pays for
 * what it uses.
 */
export interface Deps {
  config: Config;
  logger: Logger;
  store: Store;
  /** An installed S3 client (local mode, tests); otherwise `s3Of` creates one on first use. */
  s3?: S3Client;
  /** JWT signer/verifier; created from config on first use by lib/auth/context.ts when absent. */
  tokens?: TokenService;
  /** Failed-login throttle; on the store's shared counters when absent (lib/auth/context.ts). */
  loginThrottle?: LoginThrottle;
  /** Speech to text; created from TRANSCRIBER on first use by lib/ingest/deps.ts when absent. */
  transcriber?: Transcriber;
  /** Starts ingest executions; client-sfn on STATE_MACHINE_ARN by lib/ingest/deps.ts when absent. */
  executions?: ExecutionStarter;
}

let current: Deps | undefined;

/**
 * Builds the default (AWS) adapters from config; nothing connects until first use. The store is
 * the one openStore picks for the environment as it is now, opened on its first call (an error
 * from opening rejects that call); the S3 client is created by `s3Of` on first use.
 */
export function createDeps(config: Config = loadConfig(), overrides: Partial<Deps> = {}): Deps {
  const logger =
    overrides.logger ??
    new Logger({ serviceName: 'audio-ingest', logLevel: config.LOG_LEVEL === 'SILENT' ? 'SILENT' : config.LOG_LEVEL });
  return {
    config,
    ...overrides,
    logger,
    store: overrides.store ?? openStoreLazily(config),
  };
}

/**
 * The S3 client of these deps, created on first use. Its SDK is imported here rather than at the
 * top of the file, so functions that never touch S3 never evaluate it.
 */
export async function s3Of(deps: Deps): Promise<S3Client> {
  if (!deps.s3) {
    const { createS3Client } = await import('./s3-client.js');
    deps.s3 ??= createS3Client(deps.config);
  }
  return deps.s3;
}

/** The process-wide dependencies, created on first call. */
export function deps(): Deps {
  current ??= createDeps();
  return current;
}

/** Installs dependencies (local mode, tests). Returns the previous ones. */
export function setDeps(next: Deps | undefined): Deps | undefined {
  const previous = current;
  current = next;
  return previous;
}
