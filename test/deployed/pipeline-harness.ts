import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../../lib/config.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import type { ExecutionRecord, HistoryEvent } from '../../lib/local/executions.js';
import type { LambdaHandler } from '../../lib/local/lambda.js';
import { type LocalPipeline, startPipeline } from '../../lib/local/pipeline.js';
import type { LocalS3Event } from '../../lib/local/s3.js';
import { createTable } from '../../lib/model/table.js';
import { createDynamoStore } from '../../lib/store/dynamo.js';
import type { Store } from '../../lib/store/store.js';
import { type EmfLine, startEmfCapture } from '../helpers/emf.js';
import { loadBundle, removeBundleCopies } from './bundles.js';
import { applyEnvironment, lambdaEnvironment } from './environment.js';
import type { AwsJsonEndpoint } from './fakes/aws-json.js';
import { type FaultProxy, startFaultProxy } from './fakes/fault-proxy.js';
import { type BridgeEvent, toEventBridge } from './fakes/s3-eventbridge.js';
import { startStepFunctionsFake } from './fakes/step-functions.js';
import { startTranscribeFake, type TranscribeFake } from './fakes/transcribe.js';

/**
 * The ingest pipeline as deployed, on this machine: statemachines/ingest-audio.asl.json in the
 * local runner, every Task and on-upload served by its deployed bundle, the bundles configured
 * only by environment variables, as in Lambda. DynamoDB is dynalite and S3 is s3rver, each behind
 * a fault proxy; Transcribe and the Step Functions API are loopback fakes (test/deployed/fakes).
 * s3rver's object events reach on-upload and on-delete as EventBridge events, as the stack
 * routes them in AWS (fakes/s3-eventbridge.ts).
 *
 *   s3rver PUT ─EventBridge─▶ on-upload bundle ─StartExecution─▶ SFN fake ─▶ local runner (the ASL)
 *                                                                       └▶ Task bundles ─▶ proxies ─▶ dynalite / s3rver
 *                                                                                       └▶ Transcribe fake ─▶ s3rver
 */

export const TABLE = 'audio-ingest-deployed';
export const BUCKET = 'audio';
const REGION = 'us-east-1';
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:111122223333:stateMachine:audio-ingest-dev-ingest-audio`;

/** Makes the named Task's next `times` invocations meet a fault (armed only while they run). */
export interface TaskFault {
  state: string;
  times: number;
  arm(): Promise<void> | void;
  disarm(): Promise<void> | void;
}

export interface DeployedPipeline {
  pipeline: LocalPipeline;
  /** The same table, read and written by the source adapter (for arranging and asserting). */
  store: Store;
  s3Proxy: FaultProxy;
  dynamoProxy: FaultProxy;
  transcribe: TranscribeFake;
  sfn: AwsJsonEndpoint;
  /** The EMF lines the bundles wrote so far (kept from the terminal). */
  emf: EmfLine[];
  /** Invocations of each Task state, whatever their outcome. */
  invocations: Map<string, number>;
  /** The EventBridge events delivered to on-upload and on-delete so far, in order. */
  objectEvents: { function: string; event: BridgeEvent }[];
  /** Arms `fault` for its state until it has failed that many invocations. */
  inject(fault: TaskFault): void;
  /** PUTs an object to s3rver (never through the proxy) and waits for the execution it starts. */
  upload(key: string, body: Buffer | string, contentType?: string): Promise<ExecutionRecord>;
  close(): Promise<void>;
}

export async function startDeployedPipeline(
  options: {
    transcript?: (uri: string) => string;
    /** Every function's timeout instead of the deployed ones (tests of steps that run out of time). */
    functionTimeoutMs?: number;
    /** More variables for the bundles, over the pipeline's (e.g. the API functions' secrets). */
    environment?: Record<string, string>;
  } = {},
): Promise<DeployedPipeline> {
  const dir = await mkdtemp(join(tmpdir(), 'deployed-pipeline-'));
  const dynamo: LocalDynamo = await startDynalite();
  const tableClient = dynamo.client();
  await createTable(tableClient, TABLE);
  const store = createDynamoStore({ client: tableClient, tableName: TABLE });
  const s3Proxy = await startFaultProxy();
  const dynamoProxy = await startFaultProxy(dynamo.endpoint);
  let pipeline: LocalPipeline | undefined;

  const transcribe = await startTranscribeFake({
    transcript: options.transcript ?? ((uri) => `transcript of ${uri}`),
    writeOutput: async (bucket, key, body) => {
      await pipeline?.s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
  });
  const sfn = await startStepFunctionsFake({
    stateMachineArn: STATE_MACHINE_ARN,
    starter: { start: (request) => (pipeline as LocalPipeline).machine.start(request) },
  });

  const restore = applyEnvironment({
    ...lambdaEnvironment({
      DYNAMODB_TABLE: TABLE,
      AUDIO_BUCKET: BUCKET,
      STATE_MACHINE_ARN,
      LOG_LEVEL: 'SILENT',
      JWT_SECRET_ARN: 'unused-by-the-pipeline',
      ADMIN_PASSWORD_SECRET_ARN: 'unused-by-the-pipeline',
      ...options.environment,
    }),
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'deployed-test',
    AWS_SECRET_ACCESS_KEY: 'deployed-test',
    DYNAMODB_ENDPOINT: dynamoProxy.url,
    S3_ENDPOINT: s3Proxy.url,
    AWS_ENDPOINT_URL_TRANSCRIBE: transcribe.url,
    AWS_ENDPOINT_URL_SFN: sfn.url,
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  const emf = startEmfCapture();

  const invocations = new Map<string, number>();
  const faults: (TaskFault & { failed: number })[] = [];
  const wrapTask = (binding: { state: string }, handler: LambdaHandler): LambdaHandler => {
    return async (event, context) => {
      invocations.set(binding.state, (invocations.get(binding.state) ?? 0) + 1);
      const fault = faults.find((f) => f.state === binding.state && f.failed < f.times);
      if (!fault) return handler(event, context);
      await fault.arm();
      try {
        return await handler(event, context);
      } catch (error) {
        fault.failed += 1;
        throw error;
      } finally {
        await fault.disarm();
      }
    };
  };

  // EventBridge sends one event per object; s3rver's records are turned into those events.
  const objectEvents: DeployedPipeline['objectEvents'] = [];
  const loadHandler = async (name: string): Promise<LambdaHandler> => {
    const handler = await loadBundle(name);
    if (name !== 'on-upload' && name !== 'on-delete') return handler;
    return async (event, context) => {
      const { Records } = event as LocalS3Event;
      if (Records.length !== 1) throw new Error(`s3rver sent ${Records.length} records in one event; expected one`);
      const bridged = toEventBridge(Records[0] as LocalS3Event['Records'][number]);
      objectEvents.push({ function: name, event: bridged });
      return handler(bridged, context);
    };
  };

  pipeline = await startPipeline({
    config: loadConfig({
      DATA_DIR: dir,
      S3_PORT: '0',
      AUDIO_BUCKET: BUCKET,
      AWS_REGION: REGION,
      LOG_LEVEL: 'SILENT',
      LOCAL_WAIT_MS: '1',
      LOCAL_RETRY_MS: '1',
    }),
    store,
    loadHandler,
    wrapTask,
    ...(options.functionTimeoutMs ? { functionTimeoutMs: options.functionTimeoutMs } : {}),
  });
  s3Proxy.upstream = pipeline.s3.endpoint;
  const running = pipeline;

  return {
    pipeline: running,
    store,
    s3Proxy,
    dynamoProxy,
    transcribe,
    sfn,
    emf: emf.lines,
    invocations,
    objectEvents,
    inject(fault) {
      faults.push({ ...fault, failed: 0 });
    },
    async upload(key, body, contentType) {
      const before = new Set((await running.history.list()).map((e) => e.name));
      await running.s3.client().send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: body,
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      );
      await running.settled();
      const started = (await running.history.list()).filter((e) => !before.has(e.name));
      if (started.length !== 1) throw new Error(`Expected one execution for ${key}, got ${started.length}`);
      faults.splice(0);
      return running.history.get((started[0] as { name: string }).name);
    },
    async close() {
      await running.close();
      await Promise.all([s3Proxy.close(), dynamoProxy.close(), transcribe.close(), sfn.close()]);
      await store.close();
      tableClient.destroy();
      await dynamo.close();
      restore();
      emf.stop();
      removeBundleCopies();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Events of one state of a run, of one type. */
export function eventsOf(record: ExecutionRecord, state: string, type: string): HistoryEvent[] {
  return record.events.filter((event) => event.state === state && event.type === type);
}
