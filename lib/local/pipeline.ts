import { Logger } from '@aws-lambda-powertools/logger';
import { type Config, loadConfig } from '../config.js';
import { encodeS3EventKey } from '../ingest/events.js';
import type { Transcriber } from '../ingest/ports.js';
import { createLocalDeps } from '../runtime/local.js';
import { type Deps, setDeps } from '../runtime.js';
import type { Store } from '../store/store.js';
import { loadDefinition, loadFunctionHandler, type TaskBinding, taskBindings } from './asl.js';
import { ExecutionHistory } from './executions.js';
import { invokeLambda, type LambdaHandler } from './lambda.js';
import { type LocalS3, type LocalS3Event, startLocalS3 } from './s3.js';
import { LocalStateMachine } from './state-machine.js';
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
   * Delivers an S3 notification as s3rver emits it (raw keys) through the on-upload function,
   * as an upload does; for replaying duplicates and out-of-order events.
   */
  deliver(event: LocalS3Event): Promise<unknown>;
  /** Resolves when every delivered event has been handled and no execution runs or waits. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Classic S3 records URL-encode keys and s3rver does not: encode them so on-upload decodes once, as in AWS. */
function asAwsNotification(event: LocalS3Event): LocalS3Event {
  return {
    Records: event.Records.map((record) => ({
      ...record,
      s3: { ...record.s3, object: { ...record.s3.object, key: encodeS3EventKey(record.s3.object.key) } },
    })),
  };
}

/** On-upload is invoked asynchronously in AWS, which retries a failed invocation twice. */
const TRIGGER_ATTEMPTS = 3;

/**
 * Local mode's pipeline: s3rver → the on-upload function (same handler as in AWS) → the local
 * ExecutionStarter running statemachines/ingest-audio.asl.json → the functions/ingest handlers,
 * with the store, S3 client, transcriber and starter installed in the composition root.
 */
export async function startPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const config = options.config ?? loadConfig();
  const logger =
    options.logger ??
    options.deps?.logger ??
    new Logger({ serviceName: 'audio-ingest', logLevel: config.LOG_LEVEL === 'SILENT' ? 'SILENT' : config.LOG_LEVEL });

  // Everything that can fail without side effects first: the definition and the functions.
  const definition = await loadDefinition(options.definitionPath);
  const loadHandler = options.loadHandler ?? loadFunctionHandler;
  const tasks: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const binding of taskBindings(definition)) {
    const handler = await loadHandler(binding.functionName);
    const wrapped = options.wrapTask ? options.wrapTask(binding, handler) : handler;
    const functionName = binding.functionName.replace(/\//g, '-');
    tasks[binding.state] = (input) => invokeLambda(wrapped, input, { functionName, region: config.AWS_REGION });
  }
  const onUpload = await loadHandler('on-upload');
  const history = ExecutionHistory.forDataDir(config.DATA_DIR);

  const pending = new Set<Promise<unknown>>();
  let closed = false;
  const deliver = (event: LocalS3Event): Promise<unknown> => {
    if (closed) return Promise.resolve(undefined);
    const run = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await invokeLambda(onUpload, asAwsNotification(event), {
            functionName: 'on-upload',
            region: config.AWS_REGION,
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
        logger.error('on-upload failed for a local S3 event', {
          error,
          keys: event.Records.map((r) => r.s3.object.key),
        });
      },
    );
    return run;
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
    onSettled: (record) =>
      logger.info('Local execution finished', { execution: record.name, status: record.status, error: record.error }),
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
