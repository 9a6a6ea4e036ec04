import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../lib/errors.js';
import { TranscriberUnavailableError } from '../../../lib/ingest/errors.js';
import { INSTALL_HINT, PocketsphinxTranscriber } from '../../../lib/transcribe/pocketsphinx.js';
import { type Harness, speech, startHarness } from '../../contract/pipeline-harness.js';

let h: Harness;
let workDir: string;
beforeAll(async () => {
  h = await startHarness();
  workDir = await mkdtemp(join(tmpdir(), 'sphinx-'));
});
afterAll(async () => {
  await h?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('PocketsphinxTranscriber with the Debian binaries (installed by .ci/run)', () => {
  it.each(['wav', 'mp3'] as const)(
    'turns espeak-ng speech (%s) into non-empty text in the background',
    async (format) => {
      const body = await speech(h.dir, 'hello world, the quick brown fox jumps over the lazy dog', format);
      const input = await h.put(`speech.${format}`, body);
      const transcriber = new PocketsphinxTranscriber({ s3: h.s3, workDir });
      const jobName = `job-${format}`;
      expect(await transcriber.start({ jobName, bucket: h.bucket, key: input.key, mediaFormat: format })).toEqual({
        jobName,
        state: 'IN_PROGRESS',
      });
      expect((await transcriber.check(jobName)).state).toBe('IN_PROGRESS');
      await transcriber.settled(jobName);
      expect(await transcriber.check(jobName)).toEqual({ jobName, state: 'COMPLETED' });
      const text = await transcriber.fetchTranscript(jobName);
      expect(text.trim().length).toBeGreaterThan(0);
      // A second start of the same name adopts the finished job; another instance reads it from disk.
      expect((await transcriber.start({ jobName, bucket: h.bucket, key: input.key, mediaFormat: format })).state).toBe(
        'COMPLETED',
      );
      expect(await new PocketsphinxTranscriber({ s3: h.s3, workDir }).fetchTranscript(jobName)).toBe(text);
      // Once stored, the job's result is discarded: neither instance nor a new one has it any more.
      await transcriber.discardTranscript(jobName);
      await expect(transcriber.fetchTranscript(jobName)).rejects.toThrow(/has no transcript/);
      await expect(new PocketsphinxTranscriber({ s3: h.s3, workDir }).check(jobName)).rejects.toThrow(/does not exist/);
      await expect(transcriber.discardTranscript(jobName)).resolves.toBeUndefined();
    },
  );

  it('ends FAILED with a reason when the bytes are not audio', async () => {
    const input = await h.put('garbage.mp3', 'not audio at all');
    const transcriber = new PocketsphinxTranscriber({ s3: h.s3, workDir });
    await transcriber.start({ jobName: 'job-garbage', bucket: h.bucket, key: input.key, mediaFormat: 'mp3' });
    await transcriber.settled('job-garbage');
    const job = await transcriber.check('job-garbage');
    expect(job.state).toBe('FAILED');
    expect(job.failureReason).toMatch(/ffmpeg could not convert/);
  });
});

describe('PocketsphinxTranscriber without the binaries', () => {
  it('refuses to start with an error that says what to install', async () => {
    const transcriber = new PocketsphinxTranscriber({ s3: h.s3, workDir, pocketsphinx: 'pocketsphinx_not_here_42' });
    const error = await transcriber
      .start({ jobName: 'job-missing', bucket: h.bucket, key: 'x.wav', mediaFormat: 'wav' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TranscriberUnavailableError);
    expect((error as Error).message).toContain('pocketsphinx_not_here_42 not found');
    expect((error as Error).message).toContain(INSTALL_HINT);
    expect(INSTALL_HINT).toMatch(/apt-get install pocketsphinx pocketsphinx-en-us ffmpeg/);
  });

  it('answers NotFound for a job it never started', async () => {
    await expect(new PocketsphinxTranscriber({ s3: h.s3, workDir }).check('nobody')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
