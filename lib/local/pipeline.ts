import { Logger } from '@aws-lambda-powertools/logger';
import { type Config, loadConfig } from '../config.js';
import type { Transcriber } from '../ingest/ports.js';
import { TASK_FUNCTION_TIMEOUT_SECONDS, TRIGGER_FUNCTION_TIMEOUT_SECONDS } from '../ingest/timeouts.js';
import { createLocalDeps } from '../runtime/local.js';
import { type Deps, setDeps } from '../runtime.js';
import type { Store } from '../store/store.js';
import { loadDefinition, loadFunctionHandler, type TaskBinding, taskBindings } from './asl.js';
import { ExecutionHistory, type ExecutionRecord } from './executions.js';
import { invokeLambda, type LambdaHandler } from './lambda.js';
import { type LocalS3, type LocalS3Event, startLocalS3 } from './s3.js';
import { LocalStateMachine } from './state-machine.js';
import { executionStatusEvent, isUnsuccessful } from './status-events.js';
import { type LocalStore, openLocalStore } from './store.js';

export interface LocalPipelineOptions {
  /** Defaults to loadConfig(): DATA_DIR, S3_PORT, AUDIO_BUCKET, STORE, LOCAL_* settings. */
  config?: Config;
  /** A ready store (tests); otherwise SQLite in DATA_DIR, or dynalite with STORE=dynamodb. */
  store?: Store;
  /**
   * An installed composition root to extend in place (npm start): the pipeline sets its `s3`,
   * `config.S3_ENDPOINT` (so presigned URLs point at the local endpoint), `executions` and
   * `transcriber`, uses its store, and leaves setDeps to the caller. Without it the pipeline
   * creates and installs its own.
   */
  deps?: Deps;
  /** Replaces the TRANSCRIBER adapter (tests and benchmarks use instant fakes). */
  transcriber?: Transcriber;
  logger?: Logger;
  /** Wraps each Task's handler, e.g. to inject Lambda service errors in tests. */
  wrapTask?: (binding: TaskBinding, handler: LambdaHandler) => LambdaHandler;
  /** Path of the ASL file (default: statemachines/ingest-audio.asl.json). */
  definitionPath?: string;
  /**
   * Every function's timeout instead of the deployed ones (lib/ingest/timeouts.ts): an invocation
   * still running then fails `Sandbox.Timedout` (tests of stuck tasks).
   */
  functionTimeoutMs?: number;
  /**
   * Run again the executions a previous process left RUNNING in DATA_DIR (npm start does; a
   * one-off `npm run invoke` beside a running `npm start` must not take over its executions).
   */
  resumeExecutions?: boolean;
  /**
   * Loads a function's handler by name (`on-upload`, `ingest/register-upload`); default: the
   * source under functions/. The deployed-artifact tests pass the bundles' handlers.
   */
  loadHandler?: (functionName: string) => Promise<LambdaHandler>;
}

export interface LocalPipeline {
  s3: LocalS3;
  machine: LocalStateMachine;
  history: ExecutionHistory;
  /** The store local mode opened (SQLite or dynalite); undefined when one was passed in. */
  localStore: LocalStore | undefined;
  /** The dependencies installed with setDeps for every function of this process. */
  deps: Deps;
  /**
   * Delivers an S3 notification as s3rver emits it (keys as stored, not URL-encoded as AWS
   * encodes classic records: nothing assumes either) as the stack's rules route events: created
   * objects to on-upload, removed ones to on-delete; for replaying duplicates and out-of-order
   * events. Resolves with on-upload's result (on-delete's for a batch of removals only).
   */
  deliver(event: LocalS3Event): Promise<unknown>;
  /** Resolves when every delivered event has been handled and no execution runs or waits. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** EventBridge targets are invoked asynchronously in AWS, which retries a failed invocation (twice, at least). */
const TRIGGER_ATTEMPTS = 3;

/**
 * Local mode's pipeline, wired as the stack wires AWS: s3rver's object events → on-upload
 * (created) or on-delete (removed), the same handlers as in AWS → the local ExecutionStarter
 * running statemachines/ingest-audio.asl.json → the functions/ingest handlers; an execution that
 * ends FAILED, TIMED_OUT or ABORTED → on-execution-failed with the status-change event Step
 * Functions sends. With `resumeExecutions`, executions a previous process left RUNNING (stopped or
 * killed) run again.
 */
export async function startPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const config = options.config ?? loadConfig();
  const logger =
    options.logger ??
    options.deps?.logger ??
    new Logger({ serviceName: 'audio-ingest', logLevel: config.LOG_LEVEL === 'SILENT' ? 'SILENT' : config.LOG_LEVEL });

  // Everything that can fail without side effects first: the definition and the functions.
  const definition = await loadDefinition(options.definitionPath);
  const taskTimeoutMs = options.functionTimeoutMs ?? TASK_FUNCTION_TIMEOUT_SECONDS * 1000;
  const triggerTimeoutMs = options.functionTimeoutMs ?? TRIGGER_FUNCTION_TIMEOUT_SECONDS * 1000;
  const loadHandler = options.loadHandler ?? loadFunctionHandler;
  const tasks: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const binding of taskBindings(definition)) {
    const handler = await loadHandler(binding.functionName);
    const wrapped = options.wrapTask ? options.wrapTask(binding, handler) : handler;
    const functionName = binding.functionName.replace(/\//g, '-');
    tasks[binding.state] = (input) =>
      invokeLambda(wrapped, input, { functionName, region: config.AWS_REGION, timeoutMs: taskTimeoutMs });
  }
  const triggers = {
    'on-upload': await loadHandler('on-upload'),
    'on-delete': await loadHandler('on-delete'),
    'on-execution-failed': await loadHandler('on-execution-failed'),
  };
  const history = ExecutionHistory.forDataDir(config.DATA_DIR);

  const pending = new Set<Promise<unknown>>();
  let closed = false;
  /** An asynchronous invocation of an event-driven function, retried as Lambda retries one. */
  const trigger = (
    name: keyof typeof triggers,
    event: unknown,
    describe: Record<string, unknown>,
  ): Promise<unknown> => {
    if (closed) return Promise.resolve(undefined);
    const run = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await invokeLambda(triggers[name], event, {
            functionName: name,
            region: config.AWS_REGION,
            timeoutMs: triggerTimeoutMs,
          });
        } catch (error) {
          if (attempt >= TRIGGER_ATTEMPTS || closed) throw error;
          await new Promise((resolve) => setTimeout(resolve, config.LOCAL_RETRY_MS));
        }
      }
    })();
    pending.add(run);
    void run.then(
      () => pending.delete(run),
      (error: unknown) => {
        pending.delete(run);
        logger.error(`${name} failed for a local event`, { error, ...describe });
      },
    );
    return run;
  };
  const deliver = (event: LocalS3Event): Promise<unknown> => {
    const removed = event.Records.filter((record) => record.eventName.startsWith('ObjectRemoved:'));
    const others = event.Records.filter((record) => !removed.includes(record));
    const keys = (records: LocalS3Event['Records']) => ({ keys: records.map((r) => r.s3.object.key) });
    const deleting = removed.length > 0 ? trigger('on-delete', { Records: removed }, keys(removed)) : undefined;
    if (others.length === 0) return deleting ?? Promise.resolve(undefined);
    return trigger('on-upload', { Records: others }, keys(others));
  };
  const onStopped = (record: ExecutionRecord) => {
    logger.info('Local execution finished', { execution: record.name, status: record.status, error: record.error });
    if (isUnsuccessful(record)) {
      void trigger('on-execution-failed', executionStatusEvent(record, config.AWS_REGION), {
        execution: record.name,
      }).catch(() => {});
    }
  };

  const s3 = await startLocalS3({
    port: config.S3_PORT,
    dataDir: config.DATA_DIR,
    bucket: config.AUDIO_BUCKET,
    region: config.AWS_REGION,
    onEvent: (event) => void deliver(event).catch(() => {}),
  });
  const given = options.store ?? options.deps?.store;
  let local: LocalStore | undefined;
  try {
    local = given ? undefined : await openLocalStore(config);
  } catch (error) {
    await s3.close();
    throw error;
  }
  const store = given ?? (local?.store as Store);
  const machine = new LocalStateMachine({
    definition,
    tasks,
    history,
    region: config.AWS_REGION,
    waitMs: config.LOCAL_WAIT_MS,
    retryMs: config.LOCAL_RETRY_MS,
    concurrency: config.LOCAL_CONCURRENCY,
    onSettled: onStopped,
  });

  const ports = {
    s3: s3.client(),
    executions: machine,
    ...(options.transcriber ? { transcriber: options.transcriber } : {}),
  };
  let deps: Deps;
  let previous: Deps | undefined;
  if (options.deps) {
    deps = options.deps;
    Object.assign(deps, ports, { config: { ...deps.config, S3_ENDPOINT: s3.endpoint } });
  } else {
    deps = createLocalDeps({ ...config, S3_ENDPOINT: s3.endpoint }, { logger, store, ...ports });
    previous = setDeps(deps);
  }

  // Executions a previous process left RUNNING (stopped, or killed mid-run) run again, from the start.
  if (options.resumeExecutions) {
    const resumed = await machine.resume();
    if (resumed.length > 0) logger.info('Running again the executions the last run left unfinished', { resumed });
  }

  const settled = async () => {
    while (pending.size > 0 || machine.load.running + machine.load.queued > 0) {
      await Promise.allSettled([...pending]);
      await machine.idle();
    }
  };

  return {
    s3,
    machine,
    history,
    localStore: local,
    deps,
    deliver,
    settled,
    close: async () => {
      closed = true;
      await s3.close();
      await Promise.allSettled([...pending]);
      await machine.close();
      await local?.close();
      if (!options.deps) setDeps(previous);
    },
  };
}
