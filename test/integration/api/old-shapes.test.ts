import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentWav } from '../../helpers/audio.js';
import { fakeExecutions } from '../../helpers/fake-executions.js';
import { formData } from '../../helpers/multipart.js';
import { oldResponse, shapeDifferences } from '../../helpers/old-shapes.js';
import { call, createHarness, type Harness, localBucket } from './harness.js';

/**
 * The routes the Python service had answer with its shapes, field by field, against its
 * responses written from its route code (test/fixtures/old-service/): every old field is there
 * with its JSON type; ours may add fields. Events as API Gateway sends them, to the handlers.
 */
const STORY = 'Once upon a time there was a little fox who lived at the edge of the forest.';

describe('the Python service’s response shapes', () => {
  let h: Harness;
  const bucket = localBucket();
  let token: string;

  beforeEach(async () => {
    h = await createHarness({ s3: bucket.s3() });
    h.deps.executions = fakeExecutions();
    token = await h.tokenFor(await h.user('root', { isAdmin: true }));
    await h.user('alice');
    await h.deps.store.upsertAudioFile({ filename: 'bedtime-story.mp3', size: 1_843_200, duration: 115 });
    await h.deps.store.setTranscriptStatus({ filename: 'bedtime-story.mp3', status: 'processing' });
    await h.deps.store.updateTranscript({ filename: 'bedtime-story.mp3', transcript: STORY, status: 'completed' });
    await h.deps.store.upsertAudioFile({ filename: 'recording-2026-01-14.mp3', size: 402_112, duration: null });
  });
  afterEach(() => h.close());

  it('the comparison fails on a shape that differs (so the checks below can fail)', () => {
    const old = oldResponse('admin-users').response;
    expect(shapeDifferences({ users: old, count: 2 }, old)).toEqual(['$: object where the old service sent array']);
    expect(
      shapeDifferences({ files: [{ filename: 'a', size: 1 }], count: 1 }, oldResponse('audio-list').response),
    ).toEqual([
      '$.files[0].duration: missing',
      '$.files[0].url: missing',
      '$.files[0].is_static: missing',
      '$.files[0].transcript: missing',
    ]);
    expect(
      shapeDifferences(
        {
          query: 'a',
          results: [{ filename: 'a', size: 1, duration: 1, transcript: { status: 'completed' } }],
          count: 1,
        },
        oldResponse('audio-search').response,
      ),
    ).toEqual(['$.results[0].transcript: object where the old service sent string']);
  });

  it('GET /api/admin/users is a bare array of {id, username, email, is_active, is_admin, created_at}', async () => {
    const res = await call('GET', '/api/admin/users', { token });
    expect(res.status).toBe(200);
    expect(shapeDifferences(res.body, oldResponse('admin-users').response)).toEqual([]);
    expect(res.body).toHaveLength(2);
    expect(res.body.map((u: { username: string }) => u.username).sort()).toEqual(['alice', 'root']);
  });

  it('GET /api/audio/list is {files, count} with each file’s url, is_static and transcript {status, has_transcript}', async () => {
    const res = await call('GET', '/api/audio/list', { token });
    expect(res.status).toBe(200);
    expect(shapeDifferences(res.body, oldResponse('audio-list').response)).toEqual([]);
    expect(res.body.count).toBe(2);
    expect(res.body.next_cursor).toBeNull();
    const [story, recording] = res.body.files;
    expect(story).toMatchObject({
      filename: 'bedtime-story.mp3',
      size: 1_843_200,
      duration: 115,
      is_static: false,
      transcript: { status: 'completed', has_transcript: true },
      transcript_status: 'completed',
      has_transcript: true,
    });
    expect(story.url).toMatch(/^\/api\/audio\/bedtime-story\.mp3\?expires=\d+&signature=[\w-]{22}$/);
    expect(recording).toMatchObject({ transcript: { status: 'pending', has_transcript: false }, duration: null });
  });

  it('GET /api/audio/search is {query, results, count} with transcript the matching snippet (a string)', async () => {
    const res = await call('GET', '/api/audio/search?q=story', { token });
    expect(res.status).toBe(200);
    expect(shapeDifferences(res.body, oldResponse('audio-search').response)).toEqual([]);
    expect(res.body).toMatchObject({ query: 'story', count: 1 });
    expect(res.body.results[0]).toMatchObject({
      filename: 'bedtime-story.mp3',
      transcript: STORY,
      matched: 'filename',
    });
    const byWord = await call('GET', '/api/audio/search?q=fox', { token });
    expect(byWord.body.results.map((r: { filename: string }) => r.filename)).toEqual(['bedtime-story.mp3']);
    expect(byWord.body.results[0]).toMatchObject({ matched: 'transcript', transcript: STORY });
    const all = await call('GET', '/api/audio/search?q=', { token });
    expect(shapeDifferences(all.body, oldResponse('audio-search').response)).toEqual([]);
    expect(all.body.results.map((r: { transcript: string | null }) => r.transcript)).toEqual([STORY, null]);
  });

  it('the transcript routes keep their fields: GET, DELETE, and cancel', async () => {
    const got = await call('GET', '/api/audio/bedtime-story.mp3/transcript', { token });
    expect(shapeDifferences(got.body, oldResponse('transcript').response)).toEqual([]);
    expect(got.body).toMatchObject({ filename: 'bedtime-story.mp3', transcript: STORY, status: 'completed' });
    const deleted = await call('DELETE', '/api/audio/bedtime-story.mp3/transcript', { token });
    expect(shapeDifferences(deleted.body, oldResponse('transcript-delete').response)).toEqual([]);
    expect(deleted.body.message).toBe(oldResponse('transcript-delete').response.message);
    const cancelled = await call('POST', '/api/audio/bedtime-story.mp3/transcript/cancel', { token });
    expect(cancelled.status).toBe(200);
    expect(shapeDifferences(cancelled.body, oldResponse('transcript-cancel').response)).toEqual([]);
    expect(cancelled.body.message).toBe(oldResponse('transcript-cancel').response.message);
  });

  it('POST /api/audio/upload answers {success, filename, size, duration, description, url, message, transcript_status}', async () => {
    const wav = silentWav(2);
    const form = formData({ filename: 'My Recording', description: 'Grandma reading' }, [
      { name: 'recording.wav', type: 'audio/wav', content: wav },
    ]);
    const res = await call('POST', '/api/audio/upload', { token, body: form.body, headers: form.headers });
    expect(res.status, res.raw).toBe(200);
    expect(shapeDifferences(res.body, oldResponse('audio-upload').response)).toEqual([]);
    expect(res.body).toMatchObject({
      success: true,
      filename: 'My-Recording.wav',
      size: wav.length,
      duration: 2,
      description: 'Grandma reading',
      message: "Successfully uploaded 'My-Recording.wav'",
      transcript_status: 'pending',
    });
  });

  it('GET /api/status keeps the old fields (the old pages show its version)', async () => {
    const res = await call('GET', '/api/status');
    expect(res.status).toBe(200);
    expect(shapeDifferences(res.body, oldResponse('status').response)).toEqual([]);
    expect(res.body).toMatchObject({ name: 'audio-ingest', status: 'running', environment: 'local' });
    expect(res.body.features).toMatchObject({ audio_streaming: true, public_audio: false });
  });
});
