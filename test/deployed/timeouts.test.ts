import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRIED_TIMEOUT_ERRORS } from '../../lib/ingest/errors.js';
import { INGEST_ASL } from '../helpers/asl.js';
import { silentWav } from '../helpers/audio.js';
import { STALL } from './fakes/fault-proxy.js';
import { type DeployedPipeline, eventsOf, startDeployedPipeline } from './pipeline-harness.js';

/**
 * A Task that runs out of time, as the deployed bundles do: S3 takes the request and never
 * answers, so Middy ends the invocation with TimeoutError just before the function's timeout
 * (shortened here), and the state machine retries it by that name. Its own file: the harness
 * configures the bundles through the process environment.
 */
let h: DeployedPipeline;
beforeAll(async () => {
  h = await startDeployedPipeline({ functionTimeoutMs: 3_000 });
});
afterAll(() => h?.close());

const [TIMEOUT] = RETRIED_TIMEOUT_ERRORS;
const registerRetry = INGEST_ASL.States.RegisterUpload?.Retry?.find((retry) => retry.ErrorEquals.includes(TIMEOUT));
const stallS3 = (times: number) =>
  h.inject({ state: 'RegisterUpload', times, arm: () => h.s3Proxy.fail(STALL), disarm: () => h.s3Proxy.clear() });

describe('a Task that runs out of time (Middy TimeoutError)', () => {
  it('is retried by name, and the upload completes once the step finishes in time', async () => {
    stallS3(1);
    const record = await h.upload('slow once.wav', silentWav(1));

    expect(record.status).toBe('SUCCEEDED');
    expect(eventsOf(record, 'RegisterUpload', 'StateFailed').map((e) => e.error)).toEqual([TIMEOUT]);
    const retries = eventsOf(record, 'RegisterUpload', 'StateRetried');
    expect(retries.map((e) => e.errorEquals)).toEqual([[TIMEOUT]]);
    expect((await h.store.getAudioFile('slow once.wav'))?.transcriptStatus).toBe('completed');
  });

  it('ends failed after its few retries when every attempt runs out of time, saying the step took too long', async () => {
    const attempts = (registerRetry?.MaxAttempts ?? 0) + 1;
    expect(attempts).toBeGreaterThan(1);
    stallS3(attempts);
    const record = await h.upload('always slow.wav', silentWav(1));

    expect(record.status).toBe('FAILED');
    expect(eventsOf(record, 'RegisterUpload', 'StateFailed').map((e) => e.error)).toEqual(
      Array(attempts).fill(TIMEOUT),
    );
    expect(eventsOf(record, 'RegisterUpload', 'StateRetried')).toHaveLength(attempts - 1);
    // MarkFailed found the object (S3 answers again) and gave the upload its row, failed, with the reason.
    const row = await h.store.getAudioFile('always slow.wav');
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/^A pipeline step took too long and was stopped \(TimeoutError: /);
  });
});
