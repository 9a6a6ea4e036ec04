import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transcriptObjectKey } from '../../../lib/ingest/transcription.js';
import { type FakeExecutions, fakeExecutions } from '../../helpers/fake-executions.js';
import { call, createHarness, type Harness, localBucket } from './harness.js';

/**
 * The page's buttons never leave a file stuck or a part of it behind: transcribe (also from
 * pending when nothing runs), cancel (the run stopped, the row failed "cancelled"), delete
 * (object, transcript object, row and search entries). Runs through an ExecutionStarter that
 * records starts and stops (the Step Functions adapter has its own tests, the local runner runs
 * in the end-to-end tests).
 */
describe('transcription controls and delete', () => {
  const bucket = localBucket();
  let h: Harness;
  let token: string;
  let executions: FakeExecutions;

  beforeEach(async () => {
    h = await createHarness({ s3: bucket.s3() });
    executions = fakeExecutions();
    h.deps.executions = executions;
    token = await h.tokenFor(await h.user('alice'));
  });
  afterEach(() => h.close());

  const seed = async (filename: string, transcript?: string) => {
    await bucket
      .s3()
      .client()
      .send(new PutObjectCommand({ Bucket: 'audio', Key: filename, Body: 'ID3 audio' }));
    await h.deps.store.upsertAudioFile({ filename, size: 9, duration: 1 });
    if (transcript !== undefined) {
      await h.deps.store.setTranscriptStatus({ filename, status: 'processing' });
      await h.deps.store.updateTranscript({ filename, transcript, status: 'completed' });
    }
  };
  const row = (filename: string) => h.deps.store.getAudioFile(filename);
  const enc = encodeURIComponent;

  it('deletes a transcript, then transcribes from pending (no run going on), once', async () => {
    await seed('story.mp3', 'old words');
    expect((await call('DELETE', '/api/audio/story.mp3/transcript', { token })).body.transcript_status).toBe('pending');
    const started = await call('POST', '/api/audio/story.mp3/transcribe', { token });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ transcript_status: 'pending', execution: executions.started[0]?.name });
    expect(executions.started[0]?.input).toMatchObject({ bucket: 'audio', key: 'story.mp3' });
    // Now a run goes on: a second press conflicts and starts nothing.
    const again = await call('POST', '/api/audio/story.mp3/transcribe', { token });
    expect(again.status).toBe(409);
    expect(executions.started).toHaveLength(1);
  });

  it('starts a pending upload whose run never started (its event was lost)', async () => {
    await seed('lost event.mp3');
    const res = await call('POST', `/api/audio/${enc('lost event.mp3')}/transcribe`, { token });
    expect(res.status).toBe(202);
    expect(executions.started.map((s) => s.input.key)).toEqual(['lost event.mp3']);
  });

  it('refuses to transcribe while processing, saying to cancel first', async () => {
    await seed('busy.mp3');
    await h.deps.store.setTranscriptStatus({ filename: 'busy.mp3', status: 'processing' });
    const res = await call('POST', '/api/audio/busy.mp3/transcribe', { token });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/cancel it \(POST \/api\/audio\/\{filename\}\/transcript\/cancel\)/);
  });

  it('cancels a running transcription: the execution is stopped and the row ends failed, "cancelled"', async () => {
    await seed('long talk.wav', 'x');
    await call('POST', `/api/audio/${enc('long talk.wav')}/transcribe`, { token });
    await h.deps.store.setTranscriptStatus({ filename: 'long talk.wav', status: 'processing' });
    const name = executions.started[0]!.name;
    const res = await call('POST', `/api/audio/${enc('long talk.wav')}/transcript/cancel`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, transcript_status: 'failed', stopped: [name] });
    expect(executions.stopped).toEqual([
      { name, reason: { error: 'Cancelled', cause: expect.stringMatching(/^Transcription cancelled by alice at /) } },
    ]);
    const after = await row('long talk.wav');
    expect(after?.transcriptStatus).toBe('failed');
    expect(after?.transcriptError).toMatch(/cancelled by alice/);
    // Nothing left running: it can be transcribed again.
    expect((await call('POST', `/api/audio/${enc('long talk.wav')}/transcribe`, { token })).status).toBe(202);
  });

  it('cancels a stuck file with no run behind it, and refuses to cancel a finished one (409)', async () => {
    await seed('stuck.mp3');
    await h.deps.store.setTranscriptStatus({ filename: 'stuck.mp3', status: 'processing' });
    const res = await call('POST', '/api/audio/stuck.mp3/transcript/cancel', { token });
    expect(res.body).toMatchObject({ transcript_status: 'failed', stopped: [] });
    const done = await call('POST', '/api/audio/stuck.mp3/transcript/cancel', { token });
    expect(done.status).toBe(409);
    expect(done.body.detail).toMatch(/Nothing to cancel: the transcription of "stuck\.mp3" is failed/);
    expect((await call('POST', '/api/audio/ghost.mp3/transcript/cancel', { token })).status).toBe(404);
  });

  it('deletes a file: its run stopped, the object, the transcript object, the row and its search entries gone', async () => {
    await seed('albums/gone soon.mp3');
    await bucket
      .s3()
      .client()
      .send(
        new PutObjectCommand({ Bucket: 'audio', Key: transcriptObjectKey('albums/gone soon.mp3'), Body: 'big text' }),
      );
    await call('POST', `/api/audio/transcribe?filename=${enc('albums/gone soon.mp3')}`, { token });
    expect((await call('GET', '/api/audio/search?q=soon', { token })).body.count).toBe(1);

    const res = await call('DELETE', `/api/audio?filename=${enc('albums/gone soon.mp3')}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      filename: 'albums/gone soon.mp3',
      stopped: [executions.started[0]!.name],
    });
    expect(await row('albums/gone soon.mp3')).toBeUndefined();
    for (const key of ['albums/gone soon.mp3', transcriptObjectKey('albums/gone soon.mp3')]) {
      await expect(
        bucket
          .s3()
          .client()
          .send(new HeadObjectCommand({ Bucket: 'audio', Key: key })),
        key,
      ).rejects.toMatchObject({
        name: 'NotFound',
      });
    }
    expect((await call('GET', '/api/audio/search?q=soon', { token })).body.count).toBe(0);
    expect((await call('GET', '/api/audio/list', { token })).body.count).toBe(0);
    expect((await call('DELETE', `/api/audio?filename=${enc('albums/gone soon.mp3')}`, { token })).status).toBe(404);
  });
});
