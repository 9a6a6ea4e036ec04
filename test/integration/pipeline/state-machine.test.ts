import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kebabCase, taskBindings } from '../../../lib/local/asl.js';
import { ExecutionHistory } from '../../../lib/local/executions.js';
import { invokeLambda, type LambdaHandler } from '../../../lib/local/lambda.js';
import { LocalStateMachine, type TaskHandler } from '../../../lib/local/state-machine.js';
import { formatTimeline } from '../../../lib/local/timeline.js';

/** `${<Name>FunctionArn}`, the placeholder form the ingest definition uses. */
const fn = (name: string) => `\${${name}FunctionArn}`;

/** A small stand-in for the ingest definition: Task → Wait/poll loop → Task, Retry and Catch. */
const definition = {
  StartAt: 'Register',
  States: {
    Register: {
      Type: 'Task',
      Resource: fn('RegisterThing'),
      ResultPath: '$.registered',
      Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 30, Next: 'Check' },
    Check: {
      Type: 'Task',
      Resource: fn('Check'),
      ResultPath: '$.check',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }],
      Next: 'Done?',
    },
    'Done?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.check.done', BooleanEquals: true, Next: 'Succeeded' }],
      Default: 'Pause',
    },
    MarkFailed: {
      Type: 'Task',
      Resource: fn('MarkFailed'),
      ResultPath: '$.failed',
      Next: 'Failed',
    },
    Succeeded: { Type: 'Succeed' },
    Failed: { Type: 'Fail', Error: 'IngestFailed', Cause: 'see MarkFailed' },
  },
} as unknown as StateMachineDefinition;

let dir: string;
let history: ExecutionHistory;
let machine: LocalStateMachine | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sm-'));
  history = ExecutionHistory.forDataDir(dir);
});
afterEach(async () => {
  await machine?.close();
  machine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function serviceError(): Error {
  const error = new Error('Lambda is unavailable right now');
  error.name = 'Lambda.ServiceException';
  return error;
}

/** Task handlers that go through the Lambda invoke emulation, as the pipeline binds them. */
function tasks(handlers: Record<string, LambdaHandler>): Record<string, TaskHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      (input: unknown) => invokeLambda(handler, input, { functionName: state }),
    ]),
  );
}

function start(handlers: Record<string, LambdaHandler>, concurrency = 4): LocalStateMachine {
  machine = new LocalStateMachine({ definition, tasks: tasks(handlers), history, waitMs: 1, retryMs: 1, concurrency });
  return machine;
}

const input = (name: string) => ({
  bucket: 'audio',
  key: `${name}.mp3`,
  sequencer: null,
  etag: null,
  size: 1,
  execution: name,
});

describe('ASL bindings', () => {
  it('maps <Name>FunctionArn placeholders to functions/ingest/<kebab-name> without naming states', () => {
    expect(taskBindings(definition).map((b) => [b.state, b.functionName])).toEqual([
      ['Register', 'ingest/register-thing'],
      ['Check', 'ingest/check'],
      ['MarkFailed', 'ingest/mark-failed'],
    ]);
    expect(kebabCase('CompleteTranscription')).toBe('complete-transcription');
  });

  it('rejects a Task whose resource is not a function placeholder, naming the state', () => {
    const bad = {
      StartAt: 'X',
      States: { X: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
    };
    expect(() => taskBindings(bad as unknown as StateMachineDefinition)).toThrow(/Task state "X"/);
  });
});

describe('LocalStateMachine', () => {
  it('runs the definition with shortened waits and records a timeline with inputs, outputs and timings', async () => {
    let polls = 0;
    const sm = start({
      Register: async (event) => ({ key: event.key }),
      Check: async () => ({ done: ++polls >= 3 }),
      MarkFailed: async () => ({}),
    });
    const began = Date.now();
    await expect(sm.start({ name: 'song-1', input: input('song-1') })).resolves.toMatchObject({ started: true });
    const record = await sm.waitFor('song-1');
    expect(Date.now() - began).toBeLessThan(5_000); // three 30 s waits were shortened
    expect(record.status).toBe('SUCCEEDED');
    expect(polls).toBe(3);
    expect(record.output).toMatchObject({ registered: { key: 'song-1.mp3' }, check: { done: true } });
    const entered = record.events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered).toEqual([
      'Register',
      'Pause',
      'Check',
      'Done?',
      'Pause',
      'Check',
      'Done?',
      'Pause',
      'Check',
      'Done?',
      'Succeeded',
    ]);
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    const stored = await history.get('song-1');
    expect(stored.status).toBe('SUCCEEDED');
    expect(stored.events.length).toBe(record.events.length);
  });

  it('starts a name once: a duplicate start resolves started:false, also after a restart', async () => {
    let runs = 0;
    const handlers: Record<string, LambdaHandler> = {
      Register: async () => {
        runs++;
        return {};
      },
      Check: async () => ({ done: true }),
      MarkFailed: async () => ({}),
    };
    const sm = start(handlers);
    const [first, second] = await Promise.all([
      sm.start({ name: 'dup', input: input('dup') }),
      sm.start({ name: 'dup', input: input('dup') }),
    ]);
    expect([first.started, second.started].sort()).toEqual([false, true]);
    await sm.idle();
    await sm.close();
    const again = start(handlers);
    await expect(again.start({ name: 'dup', input: input('dup') })).resolves.toMatchObject({ started: false });
    await again.idle();
    expect(runs).toBe(1);
    expect((await history.list()).map((e) => e.name)).toEqual(['dup']);
  });

  it('retries Lambda service errors below the limit and succeeds', async () => {
    let calls = 0;
    const sm = start({
      Register: async () => {
        if (++calls <= 2) throw serviceError();
        return { ok: true };
      },
      Check: async () => ({ done: true }),
      MarkFailed: async () => ({}),
    });
    await sm.start({ name: 'flaky', input: input('flaky') });
    const record = await sm.waitFor('flaky');
    expect(record.status).toBe('SUCCEEDED');
    expect(record.events.filter((e) => e.type === 'StateRetried').map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('above the retry limit the Catch passes the error name and readable cause to the failure task', async () => {
    let caught: unknown;
    const sm = start({
      Register: async () => {
        throw serviceError();
      },
      Check: async () => ({ done: true }),
      MarkFailed: async (event) => {
        caught = event.error;
        return {};
      },
    });
    await sm.start({ name: 'broken', input: input('broken') });
    const record = await sm.waitFor('broken');
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('IngestFailed');
    expect(caught).toEqual({ Error: 'Lambda.ServiceException', Cause: 'Lambda is unavailable right now' });
    const failures = record.events.filter((e) => e.type === 'StateFailed' && e.state === 'Register');
    expect(failures).toHaveLength(3);
    expect(failures[0]?.cause).toBe('Lambda is unavailable right now');
  });

  it('reports a function error by its error.name with the Lambda JSON cause, not retried by a service-error Retry', async () => {
    class UnsupportedMediaError extends Error {
      override name = 'UnsupportedMediaError';
    }
    let caught: { Error: string; Cause: string } | undefined;
    let calls = 0;
    const sm = start({
      Register: async () => {
        calls++;
        throw new UnsupportedMediaError('not audio: text/plain');
      },
      Check: async () => ({ done: true }),
      MarkFailed: async (event) => {
        caught = event.error;
        return {};
      },
    });
    await sm.start({ name: 'text', input: input('text') });
    await sm.waitFor('text');
    expect(calls).toBe(1);
    expect(caught?.Error).toBe('UnsupportedMediaError');
    expect(JSON.parse(caught?.Cause ?? '{}')).toMatchObject({
      errorType: 'UnsupportedMediaError',
      errorMessage: 'not audio: text/plain',
    });
    const stored = await history.get('text');
    expect(stored.events.find((e) => e.type === 'StateFailed')?.cause).toBe('not audio: text/plain');
  });

  it('bounds concurrency with a queue and finishes every execution', async () => {
    let inFlight = 0;
    let peak = 0;
    const sm = start(
      {
        Register: async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return {};
        },
        Check: async () => ({ done: true }),
        MarkFailed: async () => ({}),
      },
      3,
    );
    const names = Array.from({ length: 30 }, (_, i) => `load-${i}`);
    await Promise.all(names.map((name) => sm.start({ name, input: input(name) })));
    await sm.idle();
    expect(peak).toBeLessThanOrEqual(3);
    const listed = await history.list();
    expect(listed).toHaveLength(30);
    expect(listed.every((e) => e.status === 'SUCCEEDED')).toBe(true);
  });

  it('abort() stops a running execution as StopExecution does: ABORTED, reported once', async () => {
    const settled: string[] = [];
    const sm = start({
      Register: () => new Promise(() => {}), // never returns
      Check: async () => ({ done: true }),
      MarkFailed: async () => ({}),
    });
    sm.onSettled((record) => settled.push(`${record.name}:${record.status}`));
    await sm.start({ name: 'stopped', input: input('stopped') });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await sm.abort('stopped')).toBe(true);
    expect((await sm.waitFor('stopped')).status).toBe('ABORTED');
    expect(settled).toEqual(['stopped:ABORTED']);
    expect(await sm.abort('stopped')).toBe(false);
  });

  it('close() leaves unfinished executions RUNNING; the next machine runs them again from the start', async () => {
    let release: () => void = () => {};
    const registered: string[] = [];
    const first = start(
      {
        Register: async (event) => {
          registered.push(`first:${event.key}`);
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return {};
        },
        Check: async () => ({ done: true }),
        MarkFailed: async () => ({}),
      },
      1,
    );
    const settled: string[] = [];
    first.onSettled((record) => settled.push(record.name));
    await first.start({ name: 'running', input: input('running') });
    await first.start({ name: 'queued', input: input('queued') });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await first.close();
    release();
    expect(settled).toEqual([]); // suspended, not ended: no status-change event
    expect((await history.list()).map((e) => [e.name, e.status]).sort()).toEqual([
      ['queued', 'RUNNING'],
      ['running', 'RUNNING'],
    ]);

    const second = start({
      Register: async (event) => {
        registered.push(`second:${event.key}`);
        return {};
      },
      Check: async () => ({ done: true }),
      MarkFailed: async () => ({}),
    });
    expect((await second.resume()).sort()).toEqual(['queued', 'running']);
    await second.idle();
    expect(registered.sort()).toEqual(['first:running.mp3', 'second:queued.mp3', 'second:running.mp3']);
    const record = await history.get('running');
    expect(record).toMatchObject({ status: 'SUCCEEDED', restarts: 1 });
    const types = record.events.map((e) => e.type);
    expect(types.filter((type) => type === 'ExecutionStarted')).toHaveLength(2);
    expect(types.indexOf('ExecutionRestarted')).toBeGreaterThan(0);
    expect(formatTimeline(record)).toMatch(/restarts {2}1[\s\S]*execution restarted from the start/);
    // Names stay used across the restart, and a second resume finds nothing left to run.
    await expect(second.start({ name: 'running', input: input('running') })).resolves.toMatchObject({
      started: false,
    });
    expect(await second.resume()).toEqual([]);
  });

  it('saves the last events before a long Wait, so a killed process leaves them on disk', async () => {
    const sm = new LocalStateMachine({
      definition,
      tasks: tasks({ Register: async () => ({}), Check: async () => ({ done: true }), MarkFailed: async () => ({}) }),
      history,
      waitMs: 60_000,
      retryMs: 1,
    });
    machine = sm;
    await sm.start({ name: 'paused', input: input('paused') });
    const onDisk = async () => (await history.get('paused')).events.map((e) => `${e.type}:${e.state ?? ''}`);
    const deadline = Date.now() + 5000;
    while (!(await onDisk()).includes('StateEntered:Pause') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await onDisk()).toContain('StateExited:Register');
    expect(await onDisk()).toContain('StateEntered:Pause');
  });

  it('rejects an invalid execution name and records nothing', async () => {
    const sm = start({ Register: async () => ({}), Check: async () => ({ done: true }), MarkFailed: async () => ({}) });
    await expect(sm.start({ name: 'bad name/..', input: input('x') })).rejects.toThrow(/InvalidName/);
    expect(await history.list()).toEqual([]);
  });
});
