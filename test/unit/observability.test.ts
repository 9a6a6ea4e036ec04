import http from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TranscribeClient } from '@aws-sdk/client-transcribe';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { lambdaContext } from '../../lib/local/lambda.js';
import {
  awsObservability,
  localObservability,
  METRICS_NAMESPACE,
  type Observability,
  observability,
} from '../../lib/observability.js';
import { createLocalDeps } from '../../lib/runtime/local.js';
import { port } from '../../lib/runtime/ports.js';
import { createDeps } from '../../lib/runtime.js';
import { captureEmf, metricValues } from '../helpers/emf.js';

const config = loadConfig({ LOG_LEVEL: 'SILENT' });
afterEach(() => vi.unstubAllEnvs());
// The test setup turns EMF output off; these tests read it.
beforeEach(() => vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false'));

/** A Middy handler with the observability middlewares, as every function has them. */
function handlerWith(obs: Observability, body: (obs: Observability) => void) {
  return middy<unknown, string, Error, Context>()
    .use(observability(() => obs))
    .handler(async () => {
      body(obs);
      return 'done';
    });
}

const context = () => lambdaContext({ functionName: 'audio-ingest-dev-register-upload' });

describe('metrics as CloudWatch EMF (AWS)', () => {
  it('publishes each invocation’s metrics in one EMF line, and the cold start in its own', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand'); // as Lambda sets it
    const obs = awsObservability(config);
    const handler = handlerWith(obs, ({ metrics }) => {
      metrics.uploadRegistered();
      metrics.transcriptionCompleted(12.5);
      metrics.loginFailed();
    });
    const lines = await captureEmf(async () => {
      expect(await handler({}, context())).toBe('done');
    });

    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
      expect(typeof line._aws.Timestamp).toBe('number');
    }
    const cold = lines.find((line) => 'ColdStart' in line);
    expect(cold).toMatchObject({ ColdStart: 1, function_name: 'audio-ingest-dev-register-upload' });
    const main = lines.find((line) => 'UploadsRegistered' in line);
    expect(main).toMatchObject({
      service: 'audio-ingest',
      UploadsRegistered: 1,
      TranscriptionsCompleted: 1,
      TranscriptionDuration: 12.5,
      LoginFailures: 1,
    });
    expect(main?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(main?._aws.CloudWatchMetrics[0]?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'UploadsRegistered', Unit: 'Count' },
        { Name: 'TranscriptionDuration', Unit: 'Seconds' },
      ]),
    );
  });

  it('records a failed transcription with its reason as a dimension of its own metric', async () => {
    const obs = awsObservability(config);
    const handler = handlerWith(obs, ({ metrics }) => {
      metrics.uploadRegistered();
      metrics.transcriptionFailed('UnsupportedMediaError');
    });
    const lines = await captureEmf(() => handler({}, context()));

    const failed = lines.find((line) => 'TranscriptionsFailed' in line);
    expect(failed).toMatchObject({ TranscriptionsFailed: 1, reason: 'UnsupportedMediaError', service: 'audio-ingest' });
    expect(failed?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'reason']]);
    // The reason does not leak onto the invocation's other metrics.
    expect(lines.find((line) => 'UploadsRegistered' in line)).not.toHaveProperty('reason');
  });

  it('writes nothing when an invocation emitted no metric (after the cold start)', async () => {
    const obs = awsObservability(config);
    const handler = handlerWith(obs, () => {});
    await captureEmf(() => handler({}, context()));
    expect(metricValues(await captureEmf(() => handler({}, context())))).toEqual({});
  });

  it('publishes the metrics of a failed invocation too', async () => {
    const obs = awsObservability(config);
    const handler = middy<unknown, string, Error, Context>()
      .use(observability(() => obs))
      .handler(async () => {
        obs.metrics.uploadRegistered();
        throw new Error('later step failed');
      });
    const lines = await captureEmf(() => handler({}, context()).catch(() => undefined));
    expect(metricValues(lines).UploadsRegistered).toEqual([1]);
  });
});

describe('tracing', () => {
  it('is a no-op locally: the tracer is off and SDK clients come back untouched', async () => {
    for (const obs of [localObservability(config), awsObservability(config)]) {
      expect(obs.tracer.isTracingEnabled()).toBe(false);
      const client = new S3Client({ region: 'us-east-1' });
      const before = client.middlewareStack.identify();
      expect(obs.tracer.captureAWSv3Client(client)).toBe(client);
      expect(client.middlewareStack.identify()).toEqual(before);
    }
    const handler = handlerWith(localObservability(config), () => {});
    expect(await handler({}, context())).toBe('done');
  });

  it('turns on inside Lambda, adds X-Ray to each SDK client and leaves node:http unpatched', () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    // The example header of the AWS X-Ray Developer Guide, "Tracing header":
    // https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    const [request, get] = [http.request, http.get];

    const { tracer } = awsObservability(config);

    expect(tracer.isTracingEnabled()).toBe(true);
    const client = tracer.captureAWSv3Client(new S3Client({ region: 'us-east-1' }));
    expect(client.middlewareStack.identify().join(' ')).toMatch(/XRay/i);
    // SDK calls are traced per client; X-Ray patching node:http as well would record each call twice.
    expect([http.request, http.get]).toEqual([request, get]);
  });

  it('the AWS root passes every SDK client it makes through captureAWSv3Client', async () => {
    const deps = createDeps(
      loadConfig({
        LOG_LEVEL: 'SILENT',
        DYNAMODB_TABLE: 'audio',
        STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:ingest-audio',
      }),
    );
    const capture = vi.spyOn(deps.tracer, 'captureAWSv3Client');
    await Promise.all([port(deps, 'store'), port(deps, 's3'), port(deps, 'transcriber'), port(deps, 'executions')]);
    const captured = capture.mock.calls.map(([client]) => client);
    for (const type of [DynamoDBClient, S3Client, TranscribeClient, SFNClient]) {
      expect(
        captured.filter((client) => client instanceof type),
        type.name,
      ).toHaveLength(1);
    }
  });

  it('the local root does not trace', () => {
    expect(createLocalDeps(config).tracer.isTracingEnabled()).toBe(false);
  });
});
