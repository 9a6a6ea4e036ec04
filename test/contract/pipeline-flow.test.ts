import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as checkTranscription } from '../../functions/ingest/check-transcription.js';
import { handler as completeTranscription } from '../../functions/ingest/complete-transcription.js';
import { handler as markFailed } from '../../functions/ingest/mark-failed.js';
import { handler as registerUpload } from '../../functions/ingest/register-upload.js';
import { handler as startTranscription } from '../../functions/ingest/start-transcription.js';
import { loadConfig } from '../../lib/config.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type {
  ExecutionStarter,
  IngestInput,
  StartExecutionRequest,
  Transcriber,
  TranscriptionJob,
} from '../../lib/ingest/ports.js';
import { requestTranscription } from '../../lib/ingest/rerun.js';
import { createDeps, setDeps } from '../../lib/runtime.js';
import { PocketsphinxTranscriber } from '../../lib/transcribe/pocketsphinx.js';
import { type Harness, speech, startHarness } from './pipeline-harness.js';

/**
 * The ASL file run as is (aws-local-stepfunctions) with every Task bound to its real Middy
 * handler, against s3rver and SQLite: the state machine's Choices, Retry, Catch and loop bound
 * together with the task logic.
 */
const definition = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../statemachines/ingest-audio.asl.json'), 'utf8').replace(
    /\$\{(\w+)FunctionArn\}/g,
    'arn:aws:lambda:us-east-1:123456789012:function:$1',
  ),
) as StateMachineDefinition;

/** Finishes each job after `checksUntilDone` polls (Infinity: never). */
class ScriptedTranscriber implements Transcriber {
  created = 0;
  private readonly polls = new Map<string, number>();
  constructor(private readonly checksUntilDone = 2) {}
  async start(request: { jobName: string }): Promise<TranscriptionJob> {
    if (!this.polls.has(request.jobName)) this.created += 1;
    this.polls.set(request.jobName, this.polls.get(request.jobName) ?? 0);
    return { jobName: request.jobName, state: 'IN_PROGRESS' };
  }
  async check(jobName: string): Promise<TranscriptionJob> {
    const polls = (this.polls.get(jobName) ?? 0) + 1;
    this.polls.set(jobName, polls);
    return { jobName, state: polls >= this.checksUntilDone ? 'COMPLETED' : 'IN_PROGRESS' };
  }
  async fetchTranscript(): Promise<string> {
    return 'testing one two three';
  }
  async discardTranscript(): Promise<void> {}
}

type Task = (event: never, context: Context) => Promise<unknown>;
const context = {} as Context;

/** Wraps a handler so its first `times` calls throw a Lambda service error (Infinity: always). */
function flaky(task: Task, times: number, name = 'Lambda.TooManyRequestsException') {
  let calls = 0;
  return async (input: unknown) => {
    calls += 1;
    if (calls <= times) throw Object.assign(new Error('Rate exceeded'), { name });
    return task(input as never, context);
  };
}

let h: Harness;
let wav: Buffer;
beforeAll(async () => {
  h = await startHarness();
  wav = await speech(h.dir, 'testing one two three');
});
afterAll(async () => {
  setDeps(undefined);
  await h?.close();
});

async function execute(
  input: IngestInput,
  options: {
    transcriber?: Transcriber;
    maxChecks?: number;
    failures?: Partial<Record<string, number>>;
    errorName?: string;
  } = {},
) {
  const config = {
    ...h.config,
    ...loadConfig({ ...process.env, TRANSCRIPTION_MAX_CHECKS: String(options.maxChecks ?? 10) }),
    S3_ENDPOINT: h.config.S3_ENDPOINT,
    AUDIO_BUCKET: h.bucket,
    LOG_LEVEL: 'SILENT' as const,
  };
  setDeps(
    createDeps(config, {
      store: h.store,
      s3: h.s3,
      logger: h.logger,
      transcriber: options.transcriber ?? new ScriptedTranscriber(),
    }),
  );
  const tasks: Record<string, Task> = {
    RegisterUpload: registerUpload as Task,
    StartTranscription: startTranscription as Task,
    CheckTranscription: checkTranscription as Task,
    CompleteTranscription: completeTranscription as Task,
    MarkFailed: markFailed as Task,
  };
  const handlers = Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [name, flaky(task, options.failures?.[name] ?? 0, options.errorName)]),
  );
  const states: string[] = [];
  const execution = new StateMachine(definition).run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: { WaitForTranscription: 0 },
      retryIntervalOverrides: Object.fromEntries(Object.keys(tasks).map((name) => [name, 0])),
    },
  });
  const logs = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') states.push(event.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await logs;
    return { status: 'SUCCEEDED' as const, output: output as Record<string, unknown>, states };
  } catch (error) {
    await logs.catch(() => {});
    return { status: 'FAILED' as const, error: error as Error & { cause?: unknown }, states };
  }
}

describe('the ingest state machine with the real handlers', () => {
  it('takes a speech upload to completed', async () => {
    const run = await execute(await h.put('flow speech.wav', wav));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.filter((state) => state === 'CheckTranscription')).toHaveLength(2);
    expect(await h.store.getAudioFile('flow speech.wav')).toMatchObject({
      transcriptStatus: 'completed',
      transcript: 'testing one two three',
    });
    expect(JSON.stringify(run.output).length).toBeLessThan(2000);
  });

  it('fails a text file named .mp3 with a readable reason before any transcription', async () => {
    const transcriber = new ScriptedTranscriber();
    const run = await execute(await h.put('flow notes.mp3', 'just some text'), { transcriber });
    expect(run.status).toBe('FAILED');
    expect(run.states).toContain('MarkFailed');
    expect(transcriber.created).toBe(0);
    const row = await h.store.getAudioFile('flow notes.mp3');
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/not audio that can be read/);
    // The failure is on the row: the Fail state says so (IngestFailed) with the readable reason.
    expect(run.error?.cause).toMatchObject({ name: 'IngestFailed' });
    expect(run.error?.message).toContain(row?.transcriptError);
  });

  it('ends an older event quietly (Succeed) without changing the row', async () => {
    const older = await h.put('flow order.wav', wav);
    const newer = await h.put('flow order.wav', Buffer.concat([wav, Buffer.alloc(100)]));
    expect((await execute(newer)).status).toBe('SUCCEEDED');
    const before = await h.store.getAudioFile('flow order.wav');
    const run = await execute({ ...older, etag: null });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toContain('Ignored');
    expect(await h.store.getAudioFile('flow order.wav')).toEqual(before);
  });

  it('bounds the poll loop: a job that never finishes ends failed "timed out"', async () => {
    const run = await execute(await h.put('flow forever.wav', wav), {
      transcriber: new ScriptedTranscriber(Number.POSITIVE_INFINITY),
      maxChecks: 3,
    });
    expect(run.status).toBe('FAILED');
    expect(run.states.filter((state) => state === 'CheckTranscription')).toHaveLength(3);
    const row = await h.store.getAudioFile('flow forever.wav');
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/timed out/);
  });

  it('retries Lambda service errors below the limit and succeeds', async () => {
    const run = await execute(await h.put('flow flaky.wav', wav), {
      failures: { RegisterUpload: 2, CompleteTranscription: 3 },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect((await h.store.getAudioFile('flow flaky.wav'))?.transcriptStatus).toBe('completed');
  });

  it('backs off on Transcribe throttling instead of failing', async () => {
    const run = await execute(await h.put('flow throttled.wav', wav), {
      failures: { StartTranscription: 6, CheckTranscription: 2 },
      errorName: 'TranscribeThrottledError',
    });
    expect(run.status).toBe('SUCCEEDED');
    expect((await h.store.getAudioFile('flow throttled.wav'))?.transcriptStatus).toBe('completed');
  });

  it('fails with the error text when Lambda service errors exceed the retry limit', async () => {
    const run = await execute(await h.put('flow broken.wav', wav), {
      failures: { StartTranscription: Number.POSITIVE_INFINITY },
    });
    expect(run.status).toBe('FAILED');
    const row = await h.store.getAudioFile('flow broken.wav');
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/temporary AWS error.*Lambda\.TooManyRequestsException.*Rate exceeded/);
  });

  it('re-runs a finished transcription through the same pipeline under a new name', async () => {
    const input = await h.put('flow again.wav', wav);
    expect((await execute(input)).status).toBe('SUCCEEDED');
    const started: StartExecutionRequest[] = [];
    // Nothing runs the started executions here: each stays running, so a second re-run conflicts.
    const executions: Pick<ExecutionStarter, 'start' | 'findRunning'> = {
      async start(request) {
        started.push(request);
        return { started: true };
      },
      findRunning: async ({ key }) =>
        started
          .filter((request) => request.input.key === key)
          .map((request) => ({ name: request.name, executionArn: `arn:local:${request.name}` })),
    };
    const rerun = await requestTranscription('flow again.wav', { store: h.store, executions, config: h.config });
    expect(rerun.record.transcriptStatus).toBe('pending');
    expect(rerun.execution).not.toBe(input.execution);
    expect(rerun.execution).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    await expect(
      requestTranscription('flow again.wav', { store: h.store, executions, config: h.config }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      requestTranscription('nope.wav', { store: h.store, executions, config: h.config }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const request = started[0];
    if (!request) throw new Error('no execution was started');
    expect(request.input).toMatchObject({ bucket: h.bucket, key: 'flow again.wav', execution: rerun.execution });
    const transcriber = new ScriptedTranscriber();
    expect((await execute(request.input, { transcriber })).status).toBe('SUCCEEDED');
    expect(transcriber.created).toBe(1);
    expect((await h.store.getAudioFile('flow again.wav'))?.transcriptStatus).toBe('completed');
  });

  it('a re-run that cannot start leaves the file failed with the reason, not pending', async () => {
    const input = await h.put('flow nostart.wav', wav);
    expect((await execute(input)).status).toBe('SUCCEEDED');
    const executions: Pick<ExecutionStarter, 'start' | 'findRunning'> = {
      async start() {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      findRunning: async () => [],
    };
    await expect(
      requestTranscription('flow nostart.wav', { store: h.store, executions, config: h.config }),
    ).rejects.toThrow('Rate exceeded');
    const row = await h.store.getAudioFile('flow nostart.wav');
    expect(row?.transcriptStatus).toBe('failed');
    expect(row?.transcriptError).toMatch(/could not be started \(ThrottlingException: Rate exceeded\)/);
  });

  it('fails with install instructions when the local engine is missing', async () => {
    const transcriber = new PocketsphinxTranscriber({ s3: h.s3, pocketsphinx: 'pocketsphinx_not_here_42' });
    const run = await execute(await h.put('flow local.wav', wav), { transcriber });
    expect(run.status).toBe('FAILED');
    expect((await h.store.getAudioFile('flow local.wav'))?.transcriptError).toMatch(
      /apt-get install pocketsphinx pocketsphinx-en-us ffmpeg/,
    );
  });
});
