import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transcriber, TranscriptionJob } from '../../lib/ingest/ports.js';
import { INGEST_ASL_PATH, loadDefinition } from '../../lib/local/asl.js';
import type { LambdaHandler } from '../../lib/local/lambda.js';
import type { AudioRecord } from '../../lib/store/store.js';
import { silentWav } from '../helpers/audio.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';

/**
 * No row is ever left pending or processing: for every Task of the state machine and every kind of
 * fault, an upload ends `completed` or `failed`, and a failed row's transcript_error says why.
 * The whole local stack runs (s3rver, the real ASL file, the real functions, the local runner with
 * its execution status-change events to on-execution-failed); faults are injected around the
 * Task handlers the way they happen in AWS:
 *
 * - throws: the function fails before doing anything (a permanent error);
 * - crashes after its side effect: its work is done, then the runtime dies (Runtime.ExitError);
 * - empty error: an error with no name and no message;
 * - Lambda timeout: it does its work and never returns (Sandbox.Timedout at the function timeout);
 * - Task timeout: the same under a Task TimeoutSeconds shorter than the function's (States.Timeout);
 * - execution aborted: it hangs and the execution is stopped, as StopExecution does;
 * - execution timed out: it hangs past the state machine's own TimeoutSeconds.
 *
 * MarkFailed only runs after another failure: its cells make StartTranscription throw first, and
 * its hanging kinds hang before writing (a MarkFailed that never records is the case to cover).
 */

const TASKS = ['RegisterUpload', 'StartTranscription', 'CheckTranscription', 'CompleteTranscription', 'MarkFailed'];
type Fault = 'throws' | 'crashes-after' | 'empty-error' | 'hangs' | 'hangs-then-aborted';

/** What the row's error must say for each kind, when the row ends failed. */
const WHY: Record<string, RegExp> = {
  throws: /InjectedFault: injected permanent fault/,
  'crashes-after': /Runtime\.ExitError: Runtime exited with error: signal: killed/,
  'empty-error': /^The pipeline failed \(Error\)/,
  'lambda-timeout': /took too long and was stopped \(Sandbox\.Timedout: Task timed out after/,
  'task-timeout': /took too long and was stopped \(States\.Timeout/,
  aborted: /^The run was stopped \(aborted\) after/,
  'execution-timeout': /^The run was stopped after .*: it took longer than the pipeline allows/,
};

interface Cell {
  task: string;
  fault: Fault;
  /** The kind of fault, a WHY entry. */
  why: string;
  /** The WHY entry the row's reason must match. */
  expect: string;
}

/** Kinds that stop the execution from outside: the execution-failure handler writes the reason. */
const STOPS = ['aborted', 'execution-timeout'];

const injected = () => Object.assign(new Error('injected permanent fault'), { name: 'InjectedFault' });

/** Wraps every Task handler: an upload named `<task> <kind>.wav` gets that cell's fault. */
function faultInjector(cells: Map<string, Cell>, stack: () => LocalStack) {
  return (binding: { state: string }, handler: LambdaHandler): LambdaHandler =>
    async (event, context) => {
      const cell = cells.get(event?.key);
      if (!cell) return handler(event, context);
      if (cell.task === 'MarkFailed' && binding.state === 'StartTranscription') throw injected();
      if (binding.state !== cell.task) return handler(event, context);
      switch (cell.fault) {
        case 'throws':
          throw injected();
        case 'empty-error':
          throw Object.assign(new Error(''), { name: '' });
        case 'crashes-after':
          await handler(event, context);
          throw Object.assign(new Error('Runtime exited with error: signal: killed'), { name: 'Runtime.ExitError' });
        default: {
          if (cell.task !== 'MarkFailed') await handler(event, context);
          if (cell.fault === 'hangs-then-aborted') {
            setTimeout(() => void stack().pipeline.machine.abort(event.execution), 20);
          }
          return new Promise(() => {}); // never returns
        }
      }
    };
}

/** Jobs finish at once, except the upload whose engine reports FAILED without a reason. */
const transcriber: Transcriber = {
  start: async ({ jobName }) => ({ jobName, state: 'IN_PROGRESS' }),
  check: async (jobName): Promise<TranscriptionJob> =>
    jobName.startsWith('CheckTranscription-engine')
      ? { jobName, state: 'FAILED', failureReason: '' }
      : { jobName, state: 'COMPLETED' },
  fetchTranscript: async () => 'transcript of the fault matrix',
  discardTranscript: async () => {},
};

/** A copy of the ASL file with one change, for the timeouts a test cannot wait for. */
async function aslWith(dir: string, change: (definition: Record<string, unknown>) => void): Promise<string> {
  const definition = structuredClone(await loadDefinition(INGEST_ASL_PATH)) as unknown as Record<string, unknown>;
  change(definition);
  const path = join(dir, `asl-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(definition));
  return path;
}

interface Run {
  cells: Map<string, Cell>;
  rows: Map<string, AudioRecord | undefined>;
  stack: LocalStack;
}

/** Starts a local stack, uploads one file per cell at once, waits until everything settled. */
async function runCells(cells: Cell[], options: { definitionPath?: string; functionTimeoutMs: number }): Promise<Run> {
  const byKey = new Map(cells.map((cell) => [`${cell.task} ${cell.fault}.wav`, cell]));
  let stack: LocalStack | undefined;
  stack = await startLocalStack({
    transcriber,
    wrapTask: faultInjector(byKey, () => stack as LocalStack),
    functionTimeoutMs: options.functionTimeoutMs,
    ...(options.definitionPath ? { definitionPath: options.definitionPath } : {}),
    env: { LOCAL_CONCURRENCY: '16', TRANSCRIPTION_MAX_CHECKS: '3' },
  });
  const live = stack;
  await Promise.all(
    [...byKey.keys()].map((key) =>
      live.s3.send(new PutObjectCommand({ Bucket: live.bucket, Key: key, Body: silentWav(1) })),
    ),
  );
  await live.pipeline.settled();
  const rows = new Map<string, AudioRecord | undefined>();
  for (const key of byKey.keys()) rows.set(key, await live.row(key));
  return { cells: byKey, rows, stack: live };
}

const runs: Run[] = [];
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fault-matrix-'));
  // A failed MarkFailed ends the execution with the error it could not record (StartTranscription's),
  // which the execution-failure handler then records; a stopped execution is described as stopped.
  const cell = (fault: Fault, why: string) =>
    TASKS.map((task) => ({ task, fault, why, expect: task === 'MarkFailed' && !STOPS.includes(why) ? 'throws' : why }));
  // One stack at a time: local mode installs its composition root process-wide.
  runs.push(
    await runCells(
      [
        ...cell('throws', 'throws'),
        ...cell('crashes-after', 'crashes-after'),
        ...cell('empty-error', 'empty-error'),
        ...cell('hangs', 'lambda-timeout'),
        ...cell('hangs-then-aborted', 'aborted'),
      ],
      { functionTimeoutMs: 4000 },
    ),
  );
  runs.push(
    await runCells(cell('hangs', 'task-timeout'), {
      functionTimeoutMs: 20_000,
      definitionPath: await aslWith(dir, (definition) => {
        for (const state of Object.values(definition.States as Record<string, Record<string, unknown>>)) {
          if (state.Type === 'Task') state.TimeoutSeconds = 1;
        }
      }),
    }),
  );
  runs.push(
    await runCells(cell('hangs', 'execution-timeout'), {
      functionTimeoutMs: 20_000,
      definitionPath: await aslWith(dir, (definition) => {
        definition.TimeoutSeconds = 2;
      }),
    }),
  );
}, 120_000);
afterAll(async () => {
  for (const run of runs.reverse()) await run.stack.close();
  rmSync(dir, { recursive: true, force: true });
});

const results = () =>
  runs.flatMap((run) => [...run.cells].map(([key, cell]) => ({ key, cell, row: run.rows.get(key) })));

describe('fault matrix: every Task × every kind of fault', () => {
  it('covers every Task with every kind of fault, each cell an upload that reached the table', () => {
    const covered = new Set(results().flatMap(({ cell, row }) => (row ? [`${cell.task}/${cell.why}`] : [])));
    expect(covered.size).toBe(TASKS.length * Object.keys(WHY).length);
  });

  it('leaves no row pending or processing, and every failed row says why', () => {
    const table = results().map(({ key, cell, row }) => ({
      key,
      status: row?.transcriptStatus,
      why: row?.transcriptStatus === 'failed' ? WHY[cell.expect]?.test(row.transcriptError ?? '') : undefined,
      error: row?.transcriptError,
    }));
    for (const entry of table) {
      expect(['completed', 'failed'], `${entry.key}: ${JSON.stringify(entry)}`).toContain(entry.status);
      if (entry.status === 'failed') expect(entry.why, `${entry.key}: ${entry.error}`).toBe(true);
    }
  });

  it('fails every cell whose Task never finished its work, and completes the ones that had', () => {
    for (const { key, cell, row } of results()) {
      // CompleteTranscription's row is completed before a crash or hang after its write; nothing else is.
      const done =
        cell.task === 'CompleteTranscription' && (cell.fault === 'crashes-after' || cell.fault.startsWith('hangs'));
      expect(row?.transcriptStatus, key).toBe(done ? 'completed' : 'failed');
    }
  });

  it('the execution-status event reached on-execution-failed for the runs that ended outside a Catch', async () => {
    const net = results().filter(({ cell }) => STOPS.includes(cell.why) || cell.task === 'MarkFailed');
    for (const { key, cell, row } of net) {
      if (cell.task === 'CompleteTranscription') continue; // completed before the stop
      if (cell.task === 'MarkFailed' && cell.fault === 'crashes-after') continue; // MarkFailed wrote it
      expect(row?.transcriptError, key).toMatch(WHY[cell.expect] as RegExp);
    }
    const statuses = await Promise.all(
      runs.map(async (run) => (await run.stack.pipeline.history.list()).map((execution) => execution.status)),
    );
    expect(statuses.flat()).toEqual(expect.arrayContaining(['ABORTED', 'TIMED_OUT']));
    expect(statuses.flat()).not.toContain('RUNNING');
  });
});

it('a transcription job that FAILED with an empty reason ends failed "the engine gave no reason"', async () => {
  const run = await runCells([{ task: 'CheckTranscription', fault: 'throws', why: 'throws', expect: 'throws' }], {
    functionTimeoutMs: 5000,
  });
  runs.push(run);
  // The engine's FAILED state is reached on the upload whose job name starts CheckTranscription-engine.
  await run.stack.s3.send(
    new PutObjectCommand({ Bucket: run.stack.bucket, Key: 'CheckTranscription engine.wav', Body: silentWav(1) }),
  );
  await run.stack.pipeline.settled();
  const row = await run.stack.row('CheckTranscription engine.wav');
  expect(row).toMatchObject({ transcriptStatus: 'failed' });
  expect(row?.transcriptError).toMatch(/^Transcription failed: the engine gave no reason\./);
});
