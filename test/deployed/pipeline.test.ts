import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreMisconfiguredError, StoreUnavailableError, UnsupportedMediaError } from '../../lib/errors.js';
import { TranscribeThrottledError, TransientIngestError } from '../../lib/ingest/errors.js';
import { silentWav } from '../helpers/audio.js';
import { metricValues } from '../helpers/emf.js';
import {
  DYNAMODB_ACCESS_DENIED,
  DYNAMODB_THROTTLING,
  DYNAMODB_THROUGHPUT_EXCEEDED,
  type Fault,
  type FaultProxy,
  REFUSED,
  S3_SLOW_DOWN,
} from './fakes/fault-proxy.js';
import { type DeployedPipeline, eventsOf, startDeployedPipeline } from './pipeline-harness.js';

/**
 * statemachines/ingest-audio.asl.json run with the deployed bundles of every Task: what Step
 * Functions matches (error names) is what the bundles throw. The expected names are the source
 * classes' own `name`, so a bundle that renames a class (minified without keepNames) or throws a
 * name the ASL does not retry fails here.
 */
let h: DeployedPipeline;
beforeAll(async () => {
  h = await startDeployedPipeline();
});
afterAll(() => h?.close());

/** The SDK's default retry strategy makes 3 attempts; a fault that outlasts them reaches the Task. */
const SDK_ATTEMPTS = 3;
/**
 * Failed invocations of the Task before the fault clears, each after the SDK's own retries. One
 * is enough to show the state machine's retry; more only add the SDK's throttling backoff.
 */
const FAILED_INVOCATIONS = 1;

let sequence = 0;
const upload = () => h.upload(`song ${++sequence}.wav`, silentWav(1));

describe('the deployed pipeline', () => {
  it('takes one upload end to end to completed, through the SDK endpoints the environment names', async () => {
    const before = { sfn: h.sfn.calls.length, transcribe: h.transcribe.calls.length };
    const mark = h.emf.length;
    const record = await h.upload('first song.wav', silentWav(1));
    const emf = h.emf.slice(mark);
    expect(record.status).toBe('SUCCEEDED');
    expect(record.events.filter((e) => e.type === 'StateFailed')).toEqual([]);
    const row = await h.store.getAudioFile('first song.wav');
    expect(row).toMatchObject({ transcriptStatus: 'completed', size: 8044, duration: 1 });
    expect(row?.transcript).toBe('transcript of s3://audio/first song.wav');
    // on-upload reached Step Functions and the Tasks reached Transcribe through AWS_ENDPOINT_URL_*.
    expect(h.sfn.calls.slice(before.sfn).map((c) => [c.operation, c.input.name])).toEqual([
      ['StartExecution', record.name],
    ]);
    expect(h.transcribe.calls.slice(before.transcribe).map((c) => c.operation)).toEqual([
      'StartTranscriptionJob',
      'GetTranscriptionJob', // IN_PROGRESS: the poll loop waits once
      'GetTranscriptionJob',
    ]);
    // The bundles' metrics, as CloudWatch reads them from the functions' stdout.
    const metrics = metricValues(emf);
    expect(metrics.UploadsRegistered).toEqual([1]);
    expect(metrics.TranscriptionsCompleted).toEqual([1]);
    expect(metrics.TranscriptionDuration).toEqual([expect.any(Number)]);
    expect(metrics.TranscriptionsFailed).toBeUndefined();
  });
});

interface Case {
  state: string;
  fault: string;
  /** The class whose name the bundle must throw. */
  error: { name: string };
  arm(): Promise<void> | void;
  disarm(): Promise<void> | void;
  /** Faults answered so far by the faulting endpoint. */
  answered?: () => number;
}

const proxyCase = (
  state: string,
  fault: string,
  error: { name: string },
  proxy: () => FaultProxy,
  answer: Fault,
): Case => ({
  state,
  fault,
  error,
  arm: () => proxy().fail(answer),
  disarm: () => proxy().clear(),
  ...(answer.kind === 'answer' ? { answered: () => proxy().answeredWithFault } : {}),
});

const transcribeCase = (state: string): Case => ({
  state,
  fault: 'Transcribe LimitExceededException',
  error: TranscribeThrottledError,
  arm: () => h.transcribe.fail('LimitExceededException'),
  disarm: () => h.transcribe.clear(),
});

const s3 = () => h.s3Proxy;
const dynamo = () => h.dynamoProxy;

const TRANSIENT: Case[] = [
  proxyCase('RegisterUpload', 'S3 connection refused', TransientIngestError, s3, REFUSED),
  proxyCase('RegisterUpload', 'S3 503 SlowDown', TransientIngestError, s3, S3_SLOW_DOWN),
  proxyCase(
    'RegisterUpload',
    'DynamoDB ProvisionedThroughputExceededException',
    StoreUnavailableError,
    dynamo,
    DYNAMODB_THROUGHPUT_EXCEEDED,
  ),
  proxyCase('RegisterUpload', 'DynamoDB unreachable', StoreUnavailableError, dynamo, REFUSED),
  proxyCase('StartTranscription', 'DynamoDB ThrottlingException', StoreUnavailableError, dynamo, DYNAMODB_THROTTLING),
  transcribeCase('StartTranscription'),
  transcribeCase('CheckTranscription'),
  proxyCase('CompleteTranscription', 'S3 503 SlowDown', TransientIngestError, s3, S3_SLOW_DOWN),
  proxyCase('CompleteTranscription', 'DynamoDB unreachable', StoreUnavailableError, dynamo, REFUSED),
];

describe('a transient fault in a Task is retried by the state machine by name, then the upload completes', () => {
  it.each(TRANSIENT.map((c) => [c.state, c.fault, c] as const))('%s meets %s', async (state, _fault, c) => {
    const answeredBefore = c.answered?.() ?? 0;
    h.inject({ state, times: FAILED_INVOCATIONS, arm: c.arm, disarm: c.disarm });
    const record = await upload();

    expect(record.status).toBe('SUCCEEDED');
    const failures = eventsOf(record, state, 'StateFailed');
    expect(failures.map((e) => e.error)).toEqual(Array(FAILED_INVOCATIONS).fill(c.error.name));
    const retries = eventsOf(record, state, 'StateRetried');
    expect(retries.map((e) => e.attempt)).toEqual(Array.from({ length: FAILED_INVOCATIONS }, (_, i) => i + 1));
    for (const retry of retries) expect(retry.errorEquals).toContain(c.error.name);
    if (c.answered) {
      // Each failed invocation had used up the SDK's own retries first.
      expect(c.answered() - answeredBefore).toBeGreaterThanOrEqual(SDK_ATTEMPTS * FAILED_INVOCATIONS);
    }
    const row = await h.store.getAudioFile((record.input as { key: string }).key);
    expect(row?.transcriptStatus).toBe('completed');
  });

  it('MarkFailed meets DynamoDB throttling: retried by name, and the failure is recorded', async () => {
    h.inject({
      state: 'MarkFailed',
      times: FAILED_INVOCATIONS,
      arm: () => h.dynamoProxy.fail(DYNAMODB_THROUGHPUT_EXCEEDED),
      disarm: () => h.dynamoProxy.clear(),
    });
    const record = await h.upload(`not audio ${++sequence}.mp3`, 'plain text, not audio');

    expect(record.status).toBe('FAILED');
    expect(eventsOf(record, 'MarkFailed', 'StateFailed').map((e) => e.error)).toEqual(
      Array(FAILED_INVOCATIONS).fill(StoreUnavailableError.name),
    );
    expect(eventsOf(record, 'MarkFailed', 'StateRetried')).toHaveLength(FAILED_INVOCATIONS);
    const row = await h.store.getAudioFile((record.input as { key: string }).key);
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/not audio that can be read/);
  });
});

describe('a permanent fault ends the run failed, with a reason a person can act on', () => {
  it('a text file named .mp3: UnsupportedMediaError, not retried, its own message as the reason', async () => {
    const key = `notes ${++sequence}.mp3`;
    const mark = h.emf.length;
    const record = await h.upload(key, 'these are meeting notes, not audio');
    expect(h.emf.slice(mark).filter((line) => 'TranscriptionsFailed' in line)).toEqual([
      expect.objectContaining({ TranscriptionsFailed: 1, reason: UnsupportedMediaError.name }),
    ]);

    expect(record.status).toBe('FAILED');
    expect(record.error).toBe(UnsupportedMediaError.name);
    expect(eventsOf(record, 'RegisterUpload', 'StateFailed').map((e) => e.error)).toEqual([UnsupportedMediaError.name]);
    expect(record.events.filter((e) => e.type === 'StateRetried')).toEqual([]);
    const row = await h.store.getAudioFile(key);
    expect(row?.transcriptStatus).toBe('failed');
    // fail.ts passes UnsupportedMediaError's message through as is: it only does so by that name.
    expect(row?.transcriptError).toMatch(/^The file is not audio that can be read: it is named as mp3/);
    expect(record.cause).toBe(row?.transcriptError);
  });

  it('access denied on the table: StoreMisconfiguredError, not retried, the reason names the grant', async () => {
    h.inject({
      state: 'StartTranscription',
      times: 1,
      arm: () => h.dynamoProxy.fail(DYNAMODB_ACCESS_DENIED),
      disarm: () => h.dynamoProxy.clear(),
    });
    const record = await upload();

    expect(record.status).toBe('FAILED');
    expect(record.error).toBe(StoreMisconfiguredError.name);
    expect(eventsOf(record, 'StartTranscription', 'StateRetried')).toEqual([]);
    const row = await h.store.getAudioFile((record.input as { key: string }).key);
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/StoreMisconfiguredError: Access denied: .* dynamodb:GetItem/);
  });

  it('a transcription job that fails: the reason says what Transcribe said', async () => {
    h.transcribe.failNextJob('The media format that you specified does not match the detected media format.');
    const record = await upload();

    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('TranscriptionFailed');
    const row = await h.store.getAudioFile((record.input as { key: string }).key);
    expect(row?.transcriptError).toMatch(/^Transcription failed: The media format that you specified does not match/);
  });
});
