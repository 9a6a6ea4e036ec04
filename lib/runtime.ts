import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LoginThrottle } from './auth/throttle.js';
import type { TokenService } from './auth/tokens.js';
import { type Config, loadConfig } from './config.js';
import { ConfigError, StoreUnavailableError } from './errors.js';
import type { ExecutionStarter, Transcriber } from './ingest/ports.js';
import type { AppMetrics, Observability } from './observability.js';
import { awsAdapters } from './runtime/aws.js';
import { attachAdapters, built, forwarding, type MethodsOf, port } from './runtime/ports.js';
import type { Store } from './store/store.js';
import type { Synthesizer } from './synthesize/types.js';

export { s3Of } from './runtime/ports.js';

/**
 * The composition root: every function gets its dependencies from here, each port built on
 * first use, once per Lambda container (or local process), by one mechanism (./runtime/ports.ts).
 * Functions never ask "am I local?". Two entry points choose the adapters:
 * - AWS (./runtime/aws.ts): ElectroDB on DynamoDB, S3, Transcribe, Step Functions, Polly, every SDK
 *   client traced. functions/** name the ones they use through ./runtime/lambda.ts, so each
 *   bundle holds only those; createDeps defaults to all of them (tests, tools).
 * - local (./runtime/local.ts, used by lib/local/*): SQLite or DynamoDB chosen by config, the
 *   local S3 endpoint, pocketsphinx, espeak-ng, and the in-process runner of the ASL that local
 *   mode installs.
 * No Lambda bundle contains the local adapters (test/deployed/metafile.test.ts).
 */
export interface Deps {
  config: Config;
  logger: Logger;
  tracer: Tracer;
  metrics: AppMetrics;
  store: Store;
  /** Speech to text. */
  transcriber: Transcriber;
  /** Starts ingest executions. */
  executions: ExecutionStarter;
  /** Text to speech (its methods; the engine's name is the adapter's own). */
  synthesizer: SynthesizerPort;
  /** Failed-login throttle on the store's shared counters. */
  loginThrottle: LoginThrottle;
  /** An installed S3 client (local mode, tests); otherwise `s3Of` builds one on first use. */
  s3?: S3Client;
  /** An installed token service (tests); otherwise `tokenService` (lib/auth/context.ts) builds it. */
  tokens?: TokenService;
}

/** What differs between AWS and local mode: how each port's adapter is built. */
export interface Adapters {
  /** Logger, tracer and metrics, made with the deps (handler middlewares use them at once). */
  observability(config: Config, logger?: Logger): Observability;
  store(deps: Deps): Promise<Store>;
  s3(deps: Deps): Promise<S3Client>;
  transcriber(deps: Deps): Promise<Transcriber>;
  executions(deps: Deps): Promise<ExecutionStarter>;
  synthesizer(deps: Deps): Promise<Synthesizer>;
}

/** What the deps offer of a Synthesizer: its methods, forwarded to the adapter built on first use. */
export type SynthesizerPort = Pick<Synthesizer, 'synthesize' | 'listVoices'>;

/** Every Store method; `satisfies` turns a method added to Store into a type error until listed. */
const STORE_METHODS = Object.keys({
  listUsers: true,
  userCount: true,
  getUser: true,
  getUserById: true,
  createUser: true,
  updateUser: true,
  deleteUser: true,
  revokeSessions: true,
  ensureAdminUser: true,
  adminBootstrapped: true,
  saveYotoTokens: true,
  loadYotoTokens: true,
  acquireYotoTokenLock: true,
  releaseYotoTokenLock: true,
  listAudioFiles: true,
  searchAudioFiles: true,
  getAudioFile: true,
  upsertAudioFile: true,
  updateTranscript: true,
  setTranscriptStatus: true,
  deleteAudioFile: true,
  loginFailures: true,
  recordLoginFailure: true,
  clearLoginFailures: true,
  close: true,
} as const satisfies Record<keyof Store, true>) as MethodsOf<Store>[];

const TRANSCRIBER_METHODS = Object.keys({
  start: true,
  check: true,
  fetchTranscript: true,
  discardTranscript: true,
} as const satisfies Record<keyof Transcriber, true>) as MethodsOf<Transcriber>[];

const EXECUTION_METHODS = Object.keys({
  start: true,
  findRunning: true,
  stop: true,
} as const satisfies Record<keyof ExecutionStarter, true>) as MethodsOf<ExecutionStarter>[];

const SYNTHESIZER_METHODS = Object.keys({
  synthesize: true,
  listVoices: true,
} as const satisfies Record<keyof SynthesizerPort, true>) as MethodsOf<SynthesizerPort>[];

/**
 * Builds the deps for `config` with `adapters` (every AWS adapter unless told otherwise);
 * nothing connects or even loads its SDK until first use. `installed` adapters (local mode,
 * tests) replace the built ones. An error from building a port (e.g. a store that cannot be
 * opened) rejects the call that needed it, and the next call tries again.
 */
export function createDeps(
  config: Config = loadConfig(),
  installed: Partial<Deps> = {},
  adapters: Adapters = awsAdapters,
): Deps {
  return composeDeps(config, installed, adapters);
}

/** createDeps without a default adapter set, so a function's bundle holds only the adapters it names. */
export function composeDeps(config: Config, installed: Partial<Deps>, adapters: Adapters): Deps {
  const deps = { config, ...adapters.observability(config, installed.logger), ...installed } as Deps;
  attachAdapters(deps, adapters);
  deps.store ??= forwarding(STORE_METHODS, () => port(deps, 'store'), {
    release: 'close',
    released: () => new StoreUnavailableError('The store was closed before it was used; open a new store.'),
  });
  deps.transcriber ??= forwarding(TRANSCRIBER_METHODS, () => port(deps, 'transcriber'));
  deps.executions ??= forwarding(EXECUTION_METHODS, () => port(deps, 'executions'));
  deps.synthesizer ??= forwarding(SYNTHESIZER_METHODS, () => port(deps, 'synthesizer'));
  deps.loginThrottle ??= forwarding(['beginAttempt', 'succeeded'], () =>
    built(deps, 'loginThrottle', async (d) => (await import('./auth/throttle.js')).createStoreThrottle(d.store)),
  );
  return deps;
}

let current: Deps | undefined;
let makeDefault: (() => Deps) | undefined;

/**
 * The process-wide dependencies: the installed ones (local mode, tests), else those of the
 * function this process runs, made on first call (functions/** register them at import through
 * lib/runtime/aws.ts `functionDeps`).
 */
export function deps(): Deps {
  if (!current) {
    if (!makeDefault) {
      throw new ConfigError(
        'No dependencies: a function registers its AWS ones with functionDeps (lib/runtime/aws.ts); local mode and tests install theirs with setDeps.',
      );
    }
    current = makeDefault();
  }
  return current;
}

/** Installs dependencies (local mode, tests). Returns the previous ones. */
export function setDeps(next: Deps | undefined): Deps | undefined {
  const previous = current;
  current = next;
  return previous;
}

/** Sets how deps() makes the process deps when none are installed (a function's AWS entry does). */
export function setDefaultDeps(make: () => Deps): void {
  makeDefault = make;
}
