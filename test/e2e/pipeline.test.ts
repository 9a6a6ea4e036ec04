import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../lib/local/asl.js';
import type { ExecutionRecord } from '../../lib/local/executions.js';
import type { LambdaHandler } from '../../lib/local/lambda.js';
import type { LocalS3Event } from '../../lib/local/s3.js';
import { formatTimeline } from '../../lib/local/timeline.js';
import { silentWav } from '../helpers/audio.js';
import {
  instantFakeTranscriber,
  type LocalStack,
  neverFinishingFakeTranscriber,
  startLocalStack,
} from '../helpers/local-stack.js';

/**
 * The pipeline end to end on the local stack: a real S3 client PUTs to s3rver, whose events run
 * the on-upload function, the ASL file and the ingest functions. Transcription is replaced by
 * fakes (instant, or never finishing for keys starting `never-`); the real engine has its own test.
 */

const instant = instantFakeTranscriber('instant fake transcript');
const never = neverFinishingFakeTranscriber();
/** Routes by key: `never-*` uploads get the never-finishing fake, the rest the instant fake. */
const routingFakeTranscriber = {
  start: (request: Parameters<typeof instant.start>[0]) =>
    request.key.startsWith('never-') ? never.start(request) : instant.start(request),
  check: (jobName: string) => (jobName.startsWith('never-') ? never.check(jobName) : instant.check(jobName)),
  fetchTranscript: (jobName: string) => instant.fetchTranscript(jobName),
  discardTranscript: (jobName: string) => instant.discardTranscript(jobName),
};

/** Per-key count of Lambda service errors to throw from a Task state before it runs. */
const faults = new Map<string, { state: string; remaining: number }>();
function injectServiceErrors(state: string, handler: LambdaHandler): LambdaHandler {
  return async (event, context) => {
    const fault = faults.get(event?.key);
    if (fault && fault.state === state && fault.remaining > 0) {
      fault.remaining--;
      const error = new Error('Rate exceeded (injected)');
      error.name = 'Lambda.ServiceException';
      throw error;
    }
    return handler(event, context);
  };
}

const MAX_CHECKS = 4;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    transcriber: routingFakeTranscriber,
    wrapTask: (binding, handler) => injectServiceErrors(binding.state, handler),
    env: { TRANSCRIPTION_MAX_CHECKS: String(MAX_CHECKS), LOCAL_CONCURRENCY: '4' },
  });
});
afterAll(async () => {
  await stack?.close();
});

async function executionsFor(key: string): Promise<ExecutionRecord[]> {
  const all = await stack.pipeline.history.list();
  const mine = await Promise.all(all.map((e) => stack.pipeline.history.get(e.name)));
  return mine.filter((e) => (e.input as { key?: string }).key === key);
}

/** The event s3rver emitted for an execution's upload, rebuilt from the execution input. */
function replayEvent(input: {
  bucket: string;
  key: string;
  sequencer: string | null;
  etag: string | null;
  size: number | null;
}): LocalS3Event {
  return {
    Records: [
      {
        eventVersion: '2.0',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:LOCAL' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'REPLAY', 'x-amz-id-2': 'REPLAY' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'replay',
          bucket: { name: input.bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${input.bucket}` },
          object: { key: input.key, size: input.size ?? 0, eTag: input.etag ?? '', sequencer: input.sequencer ?? '' },
        },
      },
    ],
  };
}

describe('local pipeline, upload to final status', () => {
  it('completes a WAV with its duration and the transcript, and keeps a readable timeline', async () => {
    const row = await stack.upload('one second.wav', silentWav(1.2));
    expect(row).toMatchObject({ transcriptStatus: 'completed', transcript: 'instant fake transcript', size: 9_644 });
    expect(row?.duration).toBe(1); // whole seconds
    const [execution] = await executionsFor('one second.wav');
    expect(execution?.status).toBe('SUCCEEDED');
    const timeline = formatTimeline(execution as ExecutionRecord);
    expect(timeline).toContain('→ RegisterUpload (Task)');
    expect(timeline).toContain('← CompleteTranscription (Task)');
  });

  it('keeps a key with spaces and parentheses exactly', async () => {
    const row = await stack.upload('my song (1) + more.wav', silentWav(1));
    expect(row?.filename).toBe('my song (1) + more.wav');
    expect(row?.transcriptStatus).toBe('completed');
  });

  it('fails a text file named .mp3 with a readable reason, before any transcription', async () => {
    const started = instant.started.length;
    const row = await stack.upload('notes.mp3', 'these are my meeting notes, not audio');
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/not audio|format/i);
    expect(instant.started.length).toBe(started);
  });

  it('fails an empty file with a reason that says it is empty', async () => {
    const row = await stack.upload('empty.wav', new Uint8Array());
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/empty|0 bytes/i);
  });

  it('handles a duplicate event as a no-op: one execution, row unchanged', async () => {
    const before = await stack.upload('dup.wav', silentWav(1));
    const [first] = await executionsFor('dup.wav');
    const result = (await stack.pipeline.deliver(replayEvent(first?.input as ExecutionRecord['input'] & never))) as {
      started: string[];
      duplicates: string[];
    };
    await stack.pipeline.settled();
    expect(result.started).toEqual([]);
    expect(result.duplicates).toEqual([first?.name]);
    expect(await executionsFor('dup.wav')).toHaveLength(1);
    expect(await stack.row('dup.wav')).toEqual(before);
  });

  it('ignores an older event that arrives after a newer upload of the same key', async () => {
    await stack.upload('order.wav', silentWav(1));
    await new Promise((resolve) => setTimeout(resolve, 5)); // s3rver sequencers are millisecond clocks
    const newer = await stack.upload('order.wav', silentWav(2));
    const executions = await executionsFor('order.wav');
    const latest = executions.find((e) => (e.input as { size: number }).size === newer?.size);
    const input = latest?.input as { bucket: string; key: string; sequencer: string; etag: string; size: number };
    const olderSequencer = (BigInt(`0x${input.sequencer}`) - 1n).toString(16).toUpperCase();
    await stack.pipeline.deliver(
      replayEvent({ ...input, sequencer: olderSequencer, etag: 'ffffffffffffffffffffffffffffffff', size: 5 }),
    );
    await stack.pipeline.settled();
    const after = await executionsFor('order.wav');
    expect(after).toHaveLength(3);
    const stale = after.find((e) => (e.input as { sequencer: string }).sequencer === olderSequencer);
    expect(stale?.status).toBe('SUCCEEDED');
    expect(stale?.events.some((e) => e.type === 'StateEntered' && e.state === 'Ignored')).toBe(true);
    const row = await stack.row('order.wav');
    expect(row).toMatchObject({ transcriptStatus: 'completed', size: newer?.size, etag: newer?.etag, duration: 2 });
  });

  describe('Lambda service errors', () => {
    let limit: number;
    beforeAll(async () => {
      const definition = (await loadDefinition()) as unknown as {
        States: Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[] }>;
      };
      const retrier = definition.States.StartTranscription?.Retry?.find((r) =>
        r.ErrorEquals.includes('Lambda.ServiceException'),
      );
      limit = retrier?.MaxAttempts ?? 3;
    });

    it('below the retry limit: retried, and the upload completes', async () => {
      faults.set('flaky.wav', { state: 'StartTranscription', remaining: limit });
      const row = await stack.upload('flaky.wav', silentWav(1));
      expect(row?.transcriptStatus).toBe('completed');
      const [execution] = await executionsFor('flaky.wav');
      expect(execution?.events.filter((e) => e.type === 'StateRetried')).toHaveLength(limit);
    });

    it('above the retry limit: failed with the error text', async () => {
      faults.set('broken.wav', { state: 'StartTranscription', remaining: limit + 1 });
      const row = await stack.upload('broken.wav', silentWav(1));
      expect(row?.transcriptStatus).toBe('failed');
      expect(row?.transcriptError).toContain('Lambda.ServiceException');
      expect(row?.transcriptError).toContain('Rate exceeded (injected)');
      const [execution] = await executionsFor('broken.wav');
      expect(execution?.status).toBe('FAILED');
    });
  });

  it('ends a transcription that never finishes as failed "timed out" after the bounded checks', async () => {
    const checks = never.checks;
    const row = await stack.upload('never-ending.wav', silentWav(1));
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/timed out/i);
    expect(never.checks - checks).toBe(MAX_CHECKS);
  });

  it('serves a failed execution with its error through the executions listing', async () => {
    const failed = await stack.pipeline.history.list({ status: 'FAILED' });
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.every((e) => typeof e.cause === 'string' && e.cause.length > 0)).toBe(true);
  });

  it('a key inside folders runs one execution and completes', async () => {
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'folder/a/b.wav', Body: silentWav(1) }));
    await stack.pipeline.settled();
    expect(await executionsFor('folder/a/b.wav')).toHaveLength(1);
    expect((await stack.row('folder/a/b.wav'))?.transcriptStatus).toBe('completed');
  });

  it('processes a multipart upload like a single PUT', async () => {
    const key = 'multipart take.wav';
    const body = silentWav(800); // 6.4 MB: a 5 MB part and the rest
    const { UploadId } = await stack.s3.send(new CreateMultipartUploadCommand({ Bucket: stack.bucket, Key: key }));
    const parts = [body.subarray(0, 5 * 1024 * 1024), body.subarray(5 * 1024 * 1024)];
    const etags = await Promise.all(
      parts.map(async (part, i) => {
        const result = await stack.s3.send(
          new UploadPartCommand({ Bucket: stack.bucket, Key: key, UploadId, PartNumber: i + 1, Body: part }),
        );
        return { ETag: result.ETag, PartNumber: i + 1 };
      }),
    );
    await stack.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: stack.bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags },
      }),
    );
    await stack.pipeline.settled();
    const row = await stack.row(key);
    expect(row).toMatchObject({ transcriptStatus: 'completed', size: body.length, duration: 800 });
    // s3rver gives multipart objects a plain MD5 ETag (AWS: "<md5>-2"); the unit tests cover that shape.
  });

  it('a delete starts nothing and removes the row: the table follows the bucket', async () => {
    await stack.upload('to delete.wav', silentWav(1));
    const before = (await stack.pipeline.history.list()).length;
    await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: 'to delete.wav' }));
    await stack.pipeline.settled();
    expect((await stack.pipeline.history.list()).length).toBe(before);
    expect(await stack.row('to delete.wav')).toBeUndefined();
  });
});
