import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/on-execution-failed.js';
import { loadConfig } from '../../lib/config.js';
import { ValidationError } from '../../lib/errors.js';
import { handleExecutionFailure } from '../../lib/ingest/execution-failure.js';
import { createDeps, setDeps } from '../../lib/runtime.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';

/**
 * The safety net: "Step Functions Execution Status Change" events (recorded samples of the AWS
 * documentation, test/fixtures/events/sfn-execution-status-*.json) mark a row the execution left
 * pending/processing as failed, and leave every other row alone. Against a SQLite store.
 */
type StatusEvent = {
  time: string;
  detail: {
    status: string;
    startDate: number;
    stopDate: number | null;
    input: string | null;
    error?: string | null;
    cause?: string | null;
  };
};

/** A recorded event, stopped now, for `input` (the execution input) with `changes` to its detail. */
function statusEvent(
  name: 'failed' | 'timed-out' | 'aborted',
  input: Record<string, unknown>,
  changes: Partial<StatusEvent['detail']> = {},
): StatusEvent {
  const event = JSON.parse(
    readFileSync(join(import.meta.dirname, `../fixtures/events/sfn-execution-status-${name}.json`), 'utf8'),
  ) as StatusEvent;
  const recorded = JSON.parse(event.detail.input ?? '{}') as Record<string, unknown>;
  const now = Date.now();
  Object.assign(event.detail, {
    startDate: now - 90_000,
    stopDate: now,
    input: JSON.stringify({ ...recorded, ...input }),
    ...changes,
  });
  return event;
}

const SEQUENCER = '0064D3901D00000001';
const silent = { info: () => {}, warn: () => {}, error: () => {} };
let dir: string;
let store: Store;
const net = (event: unknown) => handleExecutionFailure(event, { store, logger: silent });

/** A row left `status` by an execution of upload `key` with SEQUENCER. */
async function row(key: string, status: 'pending' | 'processing' | 'completed' | 'failed') {
  await store.upsertAudioFile({ filename: key, size: 10, duration: 1, etag: 'e', sequencer: SEQUENCER });
  if (status === 'pending') return;
  await store.setTranscriptStatus({ filename: key, status: 'processing', sequencer: SEQUENCER });
  if (status === 'processing') return;
  if (status === 'completed') {
    await store.updateTranscript({ filename: key, transcript: 'done', status: 'completed', sequencer: SEQUENCER });
  } else {
    await store.setTranscriptStatus({ filename: key, status: 'failed', error: 'the original reason' });
  }
}
const upload = (key: string) => ({ key, sequencer: SEQUENCER, etag: 'e' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'execution-failure-'));
});
beforeEach(async () => {
  await store?.close();
  store = openSqliteStore(join(dir, `${Date.now()}-${Math.random()}.db`));
});
afterAll(async () => {
  setDeps(undefined);
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an execution that ended without recording its failure', () => {
  it.each([
    [
      'FAILED on an uncatchable States.Runtime',
      'failed',
      'processing',
      /The pipeline failed \(States\.Runtime: An error/,
    ],
    ['TIMED_OUT', 'timed-out', 'processing', /stopped after 90 s: it took longer than the pipeline allows/],
    ['ABORTED', 'aborted', 'pending', /stopped \(aborted\) after 90 s\. Re-run/],
  ] as const)('%s: the row ends failed with the reason', async (_label, fixture, status, reason) => {
    await row('left.mp3', status);
    const result = await net(statusEvent(fixture, upload('left.mp3')));
    expect(result).toMatchObject({ recorded: true, key: 'left.mp3' });
    const after = await store.getAudioFile('left.mp3');
    expect(after?.transcriptStatus).toBe('failed');
    expect(after?.transcriptError).toMatch(reason);
  });

  it('MarkFailed itself failed (FailedUnrecorded ends with the original error): the row says that error', async () => {
    await row('unrecorded.mp3', 'processing');
    const cause = JSON.stringify({ errorType: 'UnsupportedMediaError', errorMessage: 'The file is empty (0 bytes).' });
    await net(statusEvent('failed', upload('unrecorded.mp3'), { error: 'UnsupportedMediaError', cause }));
    expect((await store.getAudioFile('unrecorded.mp3'))?.transcriptError).toBe('The file is empty (0 bytes).');
  });

  it('an empty error and cause still say why', async () => {
    await row('empty.mp3', 'processing');
    await net(statusEvent('failed', upload('empty.mp3'), { error: '', cause: '' }));
    expect((await store.getAudioFile('empty.mp3'))?.transcriptError).toMatch(/^The pipeline failed \(UnknownError\)/);
  });

  it('finds the row under the key as the event spelled it (the reading S3 had)', async () => {
    await row('a+b.mp3', 'processing');
    await net(statusEvent('aborted', { key: 'a b.mp3', eventKey: 'a+b.mp3', sequencer: SEQUENCER }));
    expect((await store.getAudioFile('a+b.mp3'))?.transcriptStatus).toBe('failed');
  });

  it('runs as the deployed function does, from the event EventBridge delivers', async () => {
    setDeps(createDeps(loadConfig({ LOG_LEVEL: 'SILENT' }), { store }));
    await row('through handler.mp3', 'processing');
    const result = await handler(statusEvent('timed-out', upload('through handler.mp3')), {} as Context);
    expect(result).toMatchObject({ recorded: true });
    expect((await store.getAudioFile('through handler.mp3'))?.transcriptStatus).toBe('failed');
  });
});

describe('rows it leaves alone', () => {
  it.each(['completed', 'failed'] as const)('a %s row', async (status) => {
    await row('finished.mp3', status);
    const before = await store.getAudioFile('finished.mp3');
    expect(await net(statusEvent('timed-out', upload('finished.mp3')))).toMatchObject({ recorded: false });
    expect(await store.getAudioFile('finished.mp3')).toEqual(before);
  });

  it("a newer upload's row (another sequencer in the execution input)", async () => {
    await row('newer.mp3', 'processing');
    const older = { key: 'newer.mp3', sequencer: '0064D3901C00000001', etag: 'old' };
    expect(await net(statusEvent('aborted', older))).toMatchObject({ recorded: false });
    expect((await store.getAudioFile('newer.mp3'))?.transcriptStatus).toBe('processing');
  });

  it('the row of an execution whose MarkFailed recorded the failure (IngestFailed), e.g. under a re-run', async () => {
    await row('rerun.mp3', 'pending');
    const event = statusEvent('failed', upload('rerun.mp3'), { error: 'IngestFailed', cause: 'The file is empty.' });
    expect(await net(event)).toMatchObject({ recorded: false, reason: expect.stringMatching(/recorded its failure/) });
    expect((await store.getAudioFile('rerun.mp3'))?.transcriptStatus).toBe('pending');
  });

  it('a row written by a later run, long after this execution stopped', async () => {
    await row('later.mp3', 'processing');
    const hourAgo = Date.now() - 3_600_000;
    const event = statusEvent('aborted', upload('later.mp3'), { startDate: hourAgo - 1000, stopDate: hourAgo });
    expect(await net(event)).toMatchObject({ recorded: false, reason: 'a later run wrote the row' });
  });

  it('no row at all, and no upload in the input (too large for the event)', async () => {
    expect(await net(statusEvent('aborted', upload('never.mp3')))).toMatchObject({ recorded: false });
    expect(await net(statusEvent('aborted', {}, { input: null }))).toMatchObject({ recorded: false });
    expect(await store.getAudioFile('never.mp3')).toBeUndefined();
  });

  it('a SUCCEEDED execution', async () => {
    await row('ok.mp3', 'processing');
    expect(await net(statusEvent('failed', upload('ok.mp3'), { status: 'SUCCEEDED' }))).toMatchObject({
      recorded: false,
    });
  });
});

it('refuses an event that is not an execution status change, naming what it expected', async () => {
  const s3Event = JSON.parse(
    readFileSync(join(import.meta.dirname, '../fixtures/events/eventbridge-object-created.json'), 'utf8'),
  ) as unknown;
  await expect(net(s3Event)).rejects.toThrow(ValidationError);
  await expect(net(s3Event)).rejects.toThrow(/Not a "Step Functions Execution Status Change" event/);
});
