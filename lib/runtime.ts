import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
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
 * evaluated on the store's first call, so a function that never uses it (on-upload, health) never
 * evaluates them; the S3 client is created on first access.
 *
 * Ports added by the API and pipeline (token keys, transcriber, execution starter) are optional
 * fields created on first use by their own getters, so a function's cold start only pays for
 * what it uses.
 */
export interface Deps {
  config: Config;
  logger: Logger;
  store: Store;
  s3: S3Client;
  /** JWT signer/verifier; created from config on first use by lib/auth/context.ts when absent. */
  tokens?: TokenService;
  /** Failed-login throttle; in-memory per process when absent (lib/auth/context.ts). */
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
 * from opening rejects that call); the S3 client is created on first access.
 */
export function createDeps(config: Config = loadConfig(), overrides: Partial<Deps> = {}): Deps {
  const logger =
    overrides.logger ??
    new Logger({ serviceName: 'audio-ingest', logLevel: config.LOG_LEVEL === 'SILENT' ? 'SILENT' : config.LOG_LEVEL });
  let s3 = overrides.s3;
  return {
    config,
    logger,
    store: overrides.store ?? openStoreLazily({ ...process.env }),
    // Callers need an S3Client synchronously (presigner, ranged reads), so only its creation is
    // deferred; the SDK module itself is loaded by every bundle that imports this file.
    get s3(): S3Client {
      s3 ??= createS3Client(config);
      return s3;
    },
    set s3(client: S3Client) {
      s3 = client;
    },
    ...overrides,
  };
}

/** S3 client honouring S3_ENDPOINT (local s3rver needs path-style and no streaming checksums). */
export function createS3Client(config: Pick<Config, 'AWS_REGION' | 'S3_ENDPOINT'>): S3Client {
  if (!config.S3_ENDPOINT) return new S3Client({ region: config.AWS_REGION });
  return new S3Client({
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
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
