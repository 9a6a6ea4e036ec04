import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../lib/errors.js';
import { markFailed } from '../../lib/ingest/fail.js';
import type { IngestInput, Transcriber, TranscriptionJob, TranscriptionJobState } from '../../lib/ingest/ports.js';
import { type Registered, registerUpload } from '../../lib/ingest/register.js';
import {
  checkTranscription,
  completeTranscription,
  MAX_INLINE_TRANSCRIPT_BYTES,
  startTranscription,
  transcriptObjectKey,
} from '../../lib/ingest/transcription.js';
import { type Harness, speech, startHarness } from './pipeline-harness.js';

/**
 * Transcribe has no local server, so the engine is a scripted implementation of the port with
 * Transcribe's naming rule: a second start of one job name adopts the existing job.
 */
class ScriptedTranscriber implements Transcriber {
  readonly jobs = new Map<string, { state: TranscriptionJobState; text: string; failureReason?: string }>();
  created = 0;
  constructor(public text = 'hello there this is a test') {}
  async start(request: { jobName: string }): Promise<TranscriptionJob> {
    const existing = this.jobs.get(request.jobName);
    if (existing) return { jobName: request.jobName, state: existing.state };
    this.created += 1;
    this.jobs.set(request.jobName, { state: 'IN_PROGRESS', text: this.text });
    return { jobName: request.jobName, state: 'IN_PROGRESS' };
  }
  async check(jobName: string): Promise<TranscriptionJob> {
    const job = this.jobs.get(jobName);
    if (!job) throw new Error(`no job ${jobName}`);
    return { jobName, state: job.state, ...(job.failureReason ? { failureReason: job.failureReason } : {}) };
  }
  async fetchTranscript(jobName: string): Promise<string> {
    return this.jobs.get(jobName)?.text ?? '';
  }
  readonly discarded: string[] = [];
  async discardTranscript(jobName: string): Promise<void> {
    this.discarded.push(jobName);
  }
  finish(jobName: string, state: TranscriptionJobState = 'COMPLETED', failureReason?: string): void {
    const job = this.jobs.get(jobName);
    if (job) Object.assign(job, { state, failureReason });
  }
}

let h: Harness;
let wav: Buffer;
beforeAll(async () => {
  h = await startHarness();
  wav = await speech(h.dir, 'testing one two three');
});
afterAll(async () => {
  await h?.close();
});

type State = IngestInput & { registered: Registered };

async function registered(key: string, body: Buffer = wav): Promise<State> {
  const input = await h.put(key, body);
  const result = await registerUpload(input, { s3: h.s3, store: h.store, config: h.config, logger: h.logger });
  return { ...input, registered: result };
}

function run(transcriber: ScriptedTranscriber) {
  const deps = { store: h.store, s3: h.s3, logger: h.logger, transcriber };
  return {
    start: (state: State) => startTranscription(state, deps),
    complete: async (state: State) => {
      const job = await startTranscription(state, deps);
      transcriber.finish(job.jobName);
      return completeTranscription({ ...state, job }, deps);
    },
    deps,
  };
}

describe('startTranscription', () => {
  it('moves the row to processing and starts a job named after the execution', async () => {
    const transcriber = new ScriptedTranscriber();
    const state = await registered('start.wav');
    const job = await run(transcriber).start(state);
    expect(job).toEqual({ jobName: state.execution, stale: false });
    expect(transcriber.jobs.has(state.execution)).toBe(true);
    expect((await h.store.getAudioFile('start.wav'))?.transcriptStatus).toBe('processing');
  });

  it('a retry after a crash adopts the running job and stays processing', async () => {
    const transcriber = new ScriptedTranscriber();
    const state = await registered('crash.wav');
    const first = await run(transcriber).start(state);
    const retry = await run(transcriber).start(state);
    expect(retry).toEqual(first);
    expect(transcriber.created).toBe(1);
    expect((await h.store.getAudioFile('crash.wav'))?.transcriptStatus).toBe('processing');
  });

  it('rejects a late processing write after completed: the status stays completed', async () => {
    const transcriber = new ScriptedTranscriber();
    const state = await registered('late.wav');
    await run(transcriber).complete(state);
    const late = await run(transcriber).start(state);
    expect(late).toMatchObject({ stale: true, reason: 'the transcript is already completed' });
    await expect(
      h.store.setTranscriptStatus({ filename: 'late.wav', status: 'processing', sequencer: state.sequencer }),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    expect((await h.store.getAudioFile('late.wav'))?.transcriptStatus).toBe('completed');
  });

  it('does not start when a newer upload took over the row', async () => {
    const transcriber = new ScriptedTranscriber();
    const old = await registered('superseded.wav');
    await registered('superseded.wav', Buffer.concat([wav, Buffer.alloc(1000)]));
    expect(await run(transcriber).start(old)).toMatchObject({
      stale: true,
      reason: 'a newer upload of this key took over',
    });
    expect(transcriber.created).toBe(0);
  });
});

describe('checkTranscription', () => {
  it('counts attempts and reports the job state and failure reason', async () => {
    const transcriber = new ScriptedTranscriber();
    await transcriber.start({ jobName: 'job-a' });
    const job = { jobName: 'job-a', stale: false };
    const first = await checkTranscription({ job }, { transcriber, maxAttempts: 3 });
    expect(first).toEqual({ state: 'IN_PROGRESS', attempts: 1, maxAttempts: 3, failureReason: null });
    const second = await checkTranscription({ job, check: first }, { transcriber, maxAttempts: 3 });
    expect(second.attempts).toBe(2);
    transcriber.finish('job-a', 'FAILED', 'The media format is invalid.');
    expect(await checkTranscription({ job, check: second }, { transcriber, maxAttempts: 3 })).toEqual({
      state: 'FAILED',
      attempts: 3,
      maxAttempts: 3,
      failureReason: 'The media format is invalid.',
    });
  });

  it('keeps an empty failure reason instead of dropping the field', async () => {
    const transcriber = new ScriptedTranscriber();
    await transcriber.start({ jobName: 'job-empty' });
    transcriber.jobs.get('job-empty')!.state = 'FAILED';
    const check = await checkTranscription(
      { job: { jobName: 'job-empty', stale: false } },
      { transcriber, maxAttempts: 3 },
    );
    expect(check).toMatchObject({ state: 'FAILED', failureReason: null });
  });
});

describe('completeTranscription', () => {
  it('discards the job’s output once the text is stored, and again on a retry that finds it stored', async () => {
    const transcriber = new ScriptedTranscriber('the output goes once the row has it');
    const state = await registered('discard.wav');
    const job = await startTranscription(state, run(transcriber).deps);
    transcriber.finish(job.jobName);
    const discardedBeforeStore: boolean[] = [];
    const watching = Object.assign(Object.create(transcriber) as ScriptedTranscriber, {
      discardTranscript: async (jobName: string) => {
        discardedBeforeStore.push((await h.store.getAudioFile('discard.wav'))?.transcriptStatus !== 'completed');
        await transcriber.discardTranscript(jobName);
      },
    });
    const deps = { ...run(transcriber).deps, transcriber: watching };
    expect(await completeTranscription({ ...state, job }, deps)).toMatchObject({ status: 'completed' });
    expect(transcriber.discarded).toEqual([job.jobName]);
    expect(discardedBeforeStore).toEqual([false]);
    // A retry of the step (its first attempt crashed after storing): nothing is stored twice, and
    // what the first attempt may have left is discarded.
    expect(await completeTranscription({ ...state, job }, deps)).toMatchObject({ status: 'skipped' });
    expect(transcriber.discarded).toEqual([job.jobName, job.jobName]);
  });

  it('still completes when the output cannot be discarded, and says what was left behind', async () => {
    const transcriber = new ScriptedTranscriber('stored even if the output stays');
    transcriber.discardTranscript = async () => {
      throw new Error('Access Denied');
    };
    const state = await registered('discard-fails.wav');
    const warnings: unknown[][] = [];
    const logger = {
      info: () => {},
      warn: (...args: unknown[]) => void warnings.push(args),
    } as unknown as Pick<typeof h.logger, 'info' | 'warn'>;
    const job = await startTranscription(state, run(transcriber).deps);
    transcriber.finish(job.jobName);
    const deps = { ...run(transcriber).deps, logger };
    expect(await completeTranscription({ ...state, job }, deps)).toMatchObject({ status: 'completed' });
    expect((await h.store.getAudioFile('discard-fails.wav'))?.transcriptStatus).toBe('completed');
    expect(warnings).toContainEqual([
      'Transcription output not discarded',
      expect.objectContaining({ jobName: job.jobName, error: 'Access Denied' }),
    ]);
  });

  it('stores the transcript, completed, with transcribed_at', async () => {
    const transcriber = new ScriptedTranscriber('testing one two three');
    const state = await registered('done.wav');
    expect(await run(transcriber).complete(state)).toEqual({ status: 'completed', chars: 21 });
    const row = await h.store.getAudioFile('done.wav');
    expect(row).toMatchObject({
      transcriptStatus: 'completed',
      transcript: 'testing one two three',
      transcriptS3Key: null,
    });
    expect(Date.parse(row?.transcribedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('puts a transcript over 350 KB in S3 with a pointer on the row, still word-searchable', async () => {
    const big = `${'word '.repeat(Math.ceil(MAX_INLINE_TRANSCRIPT_BYTES / 5) + 10)}zanzibar`;
    const transcriber = new ScriptedTranscriber(big);
    const state = await registered('long talk.wav');
    const result = await run(transcriber).complete(state);
    expect(result).toMatchObject({ status: 'completed', transcriptS3Key: 'transcripts/long talk.wav.txt' });
    expect(JSON.stringify(result).length).toBeLessThan(1000);
    const row = await h.store.getAudioFile('long talk.wav');
    expect(row).toMatchObject({
      transcriptStatus: 'completed',
      transcript: null,
      transcriptS3Key: 'transcripts/long talk.wav.txt',
    });
    expect(await h.getText('transcripts/long talk.wav.txt')).toBe(big);
    const found = await h.store.searchAudioFiles('zanzib');
    expect(found.items.map((hit) => [hit.filename, hit.matched])).toEqual([['long talk.wav', 'transcript']]);
  });

  it('never resurrects a deleted row, and removes a big transcript written meanwhile', async () => {
    const big = 'x'.repeat(MAX_INLINE_TRANSCRIPT_BYTES + 1);
    const transcriber = new ScriptedTranscriber(big);
    const state = await registered('deleted.wav');
    const { deps } = run(transcriber);
    const job = await startTranscription(state, deps);
    transcriber.finish(job.jobName);
    // The row disappears between the read and the write: the guarded update must not create it.
    const racing = {
      ...deps,
      store: new Proxy(h.store, {
        get(target, property, receiver) {
          if (property === 'updateTranscript') {
            return async (input: Parameters<typeof target.updateTranscript>[0]) => {
              await target.deleteAudioFile(input.filename);
              return target.updateTranscript(input);
            };
          }
          return Reflect.get(target, property, receiver);
        },
      }),
    };
    expect(await completeTranscription({ ...state, job }, racing)).toMatchObject({
      status: 'skipped',
      reason: 'the audio file was deleted',
    });
    expect(await h.store.getAudioFile('deleted.wav')).toBeUndefined();
    await expect(
      h.s3.send(new HeadObjectCommand({ Bucket: h.bucket, Key: transcriptObjectKey('deleted.wav') })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('skips a row deleted before completion', async () => {
    const transcriber = new ScriptedTranscriber();
    const state = await registered('removed.wav');
    const job = await run(transcriber).start(state);
    await h.store.deleteAudioFile('removed.wav');
    transcriber.finish(job.jobName);
    const result = await completeTranscription({ ...state, job }, run(transcriber).deps);
    expect(result.status).toBe('skipped');
    expect(await h.store.getAudioFile('removed.wav')).toBeUndefined();
  });
});

describe('markFailed', () => {
  it('records the reason on a processing row', async () => {
    const transcriber = new ScriptedTranscriber();
    const state = await registered('broken.wav');
    await run(transcriber).start(state);
    const failed = await markFailed(
      { ...state, error: { Error: 'TranscriptionTimedOut', Cause: 'Transcription timed out: still running.' } },
      { store: h.store, logger: h.logger },
    );
    expect(failed.recorded).toBe(true);
    expect(await h.store.getAudioFile('broken.wav')).toMatchObject({
      transcriptStatus: 'failed',
      transcriptError: 'Transcription timed out: still running.',
    });
  });

  it('never overwrites completed', async () => {
    const state = await registered('keep.wav');
    await run(new ScriptedTranscriber()).complete(state);
    const failed = await markFailed(
      { ...state, error: { Error: 'Lambda.ServiceException', Cause: 'boom' } },
      { store: h.store, logger: h.logger },
    );
    expect(failed.recorded).toBe(false);
    expect((await h.store.getAudioFile('keep.wav'))?.transcriptStatus).toBe('completed');
  });

  it('tolerates a missing row and creates none', async () => {
    const input = { bucket: h.bucket, key: 'never.wav', sequencer: null, etag: null, size: null, execution: 'x' };
    expect(
      await markFailed({ ...input, error: { Error: 'States.TaskFailed' } }, { store: h.store, logger: h.logger }),
    ).toMatchObject({
      recorded: false,
    });
    expect(await h.store.getAudioFile('never.wav')).toBeUndefined();
  });

  it('gives an upload whose registration failed its row, failed, while its object exists', async () => {
    const input = await h.put('unregistered.wav', wav);
    const failed = await markFailed(
      { ...input, error: { Error: 'Sandbox.Timedout', Cause: 'Task timed out after 60.00 seconds' } },
      { store: h.store, s3: h.s3, logger: h.logger },
    );
    expect(failed).toMatchObject({ recorded: true, reason: expect.stringMatching(/took too long/) });
    expect(await h.store.getAudioFile('unregistered.wav')).toMatchObject({
      transcriptStatus: 'failed',
      size: wav.length,
      etag: input.etag,
      transcriptError: failed.reason,
    });
  });

  it('never recreates a row that registration wrote and a delete removed', async () => {
    const state = await registered('deleted later.wav');
    await h.store.deleteAudioFile('deleted later.wav');
    const failed = await markFailed(
      { ...state, error: { Error: 'States.TaskFailed' } },
      { store: h.store, s3: h.s3, logger: h.logger },
    );
    expect(failed.recorded).toBe(false);
    expect(await h.store.getAudioFile('deleted later.wav')).toBeUndefined();
  });

  it("leaves a newer upload's row alone", async () => {
    const old = await registered('newer.wav');
    await registered('newer.wav', Buffer.concat([wav, Buffer.alloc(10)]));
    const failed = await markFailed(
      { ...old, error: { Error: 'States.TaskFailed' } },
      { store: h.store, logger: h.logger },
    );
    expect(failed.recorded).toBe(false);
    expect((await h.store.getAudioFile('newer.wav'))?.transcriptStatus).toBe('pending');
  });
});
