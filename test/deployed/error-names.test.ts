import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as domainErrors from '../../lib/errors.js';
import * as ingestErrors from '../../lib/ingest/errors.js';
import { RETRYABLE_ERRORS } from '../../lib/ingest/errors.js';
import { describeFailure } from '../../lib/ingest/fail.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { invokeLambda, type LambdaInvocationError } from '../../lib/local/lambda.js';
import { PROJECT_ROOT } from '../../stacks/constructs/app-function.js';
import { loadBundle } from './bundles.js';
import { DYNAMODB_THROTTLING, REFUSED } from './fakes/fault-proxy.js';
import { bundleInputs } from './metafile.js';
import { BUCKET, type DeployedPipeline, startDeployedPipeline } from './pipeline-harness.js';

/**
 * Every error name the state machine or the failure reasons match on, thrown by a deployed bundle,
 * keeps the source class's name. Names come from the ASL file (Retry/Catch) and from
 * lib/ingest/fail.ts (the names whose message it passes through, and the retryable ones), so a
 * name added there without a way to reach it from a bundle fails this test too.
 */
let h: DeployedPipeline;
beforeAll(async () => {
  h = await startDeployedPipeline();
});
afterAll(() => h?.close());

const asl = JSON.parse(readFileSync(join(PROJECT_ROOT, 'statemachines/ingest-audio.asl.json'), 'utf8')) as {
  States: Record<string, { Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[] }[] }>;
};
const aslNames = Object.values(asl.States)
  .flatMap((state) => [...(state.Retry ?? []), ...(state.Catch ?? [])])
  .flatMap((rule) => rule.ErrorEquals)
  .filter((name) => !name.startsWith('Lambda.') && !name.startsWith('States.'));

/** Our error classes whose message fail.ts passes through as the reason (it does so by name). */
const errorClasses = (Object.values({ ...domainErrors, ...ingestErrors }) as unknown[]).filter(
  (value): value is typeof Error => typeof value === 'function' && value.prototype instanceof Error,
);
const passedThrough = errorClasses
  .map((cls) => cls.name)
  .filter((name) => describeFailure({ Error: name, Cause: 'the message' }) === 'the message');

const NAMES = [...new Set([...aslNames, ...RETRYABLE_ERRORS, ...passedThrough])].sort();

/** Thrown only by a local adapter, which no Lambda bundle contains (checked here against the metafiles). */
const LOCAL_ONLY: Record<string, string> = { TranscriberUnavailableError: 'lib/transcribe/pocketsphinx.ts' };

const input = (key: string): IngestInput => ({
  bucket: BUCKET,
  key,
  sequencer: '0064D3901D000000001',
  etag: null,
  size: null,
  execution: 'error-names',
});

/** Invokes a bundle as Step Functions does; resolves with the error type Lambda would report. */
async function errorTypeOf(name: string, event: unknown): Promise<string> {
  const handler = await loadBundle(name);
  const failure = await invokeLambda(handler, event, { functionName: name.replace('/', '-') }).then(
    () => undefined,
    (error: LambdaInvocationError) => error,
  );
  if (!failure) throw new Error(`${name} succeeded; expected it to throw`);
  return failure.errorType;
}

async function whileFailing<T>(
  arm: () => Promise<void> | void,
  disarm: () => Promise<void> | void,
  run: () => Promise<T>,
) {
  await arm();
  try {
    return await run();
  } finally {
    await disarm();
  }
}

/** One way to make a deployed bundle throw each name. */
const TRIGGERS: Record<string, () => Promise<string>> = {
  UndecodableKeyError: () =>
    errorTypeOf('ingest/register-upload', { ...input('%E0%A4%A.mp3'), keyError: 'URI malformed' }),
  UnsupportedMediaError: async () => {
    await h.pipeline.s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'notes.mp3', Body: 'not audio' }));
    return errorTypeOf('ingest/register-upload', input('notes.mp3'));
  },
  ValidationError: () =>
    errorTypeOf('ingest/mark-failed', { ...input('nul\u0000name.mp3'), error: { Error: 'X', Cause: 'y' } }),
  TransientIngestError: () =>
    whileFailing(
      () => h.s3Proxy.fail(REFUSED),
      () => h.s3Proxy.clear(),
      () => errorTypeOf('ingest/register-upload', input('any.wav')),
    ),
  StoreUnavailableError: () =>
    whileFailing(
      () => h.dynamoProxy.fail(DYNAMODB_THROTTLING),
      () => h.dynamoProxy.clear(),
      () => errorTypeOf('ingest/mark-failed', { ...input('any.wav'), error: { Error: 'X', Cause: 'y' } }),
    ),
  TranscribeThrottledError: () =>
    whileFailing(
      () => h.transcribe.fail('LimitExceededException'),
      () => h.transcribe.clear(),
      () => errorTypeOf('ingest/check-transcription', { job: { jobName: 'any-job', stale: false } }),
    ),
};

describe('error names survive bundling', () => {
  it('covers every name the ASL and fail.ts match on', () => {
    expect(NAMES.length).toBeGreaterThan(0);
    expect(NAMES.filter((name) => !(name in TRIGGERS) && !(name in LOCAL_ONLY))).toEqual([]);
  });

  it.each(Object.keys(TRIGGERS))('a bundle throws %s under that name', async (name) => {
    expect(await TRIGGERS[name]!()).toBe(name);
  });

  it.each(Object.entries(LOCAL_ONLY))('%s comes only from %s, which no Lambda bundle contains', (_name, file) => {
    for (const [bundle, inputs] of bundleInputs()) expect(inputs, bundle).not.toContain(file);
  });
});
