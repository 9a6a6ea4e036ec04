import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoneError, NotFoundError } from '../../lib/errors.js';
import { readTranscript } from '../../lib/http/audio.js';
import { deleteAudio } from '../../lib/ingest/delete.js';
import { handleDeleteEvent } from '../../lib/ingest/delete-event.js';
import { registerUpload } from '../../lib/ingest/register.js';
import { transcriptObjectKey } from '../../lib/ingest/transcription.js';
import { type Harness, nextSequencer, speech, startHarness } from './pipeline-harness.js';

/**
 * An audio file is its object, its transcript object (transcripts over 350 KB) and its row: they
 * go together, whether the API deletes the file or the object is deleted in S3 (the table follows
 * the bucket's Object Deleted events). Against s3rver and SQLite.
 */
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/events', name), 'utf8')) as unknown;

/** The recorded EventBridge "Object Deleted" sample for another key and sequencer. */
function deletedEvent(key: string, sequencer: string) {
  const event = fixture('eventbridge-object-deleted.json') as { detail: { object: Record<string, unknown> } };
  Object.assign(event.detail.object, { key, sequencer });
  return event;
}

let h: Harness;
let wav: Buffer;
beforeAll(async () => {
  h = await startHarness();
  wav = await speech(h.dir, 'this file will be deleted');
});
afterAll(async () => {
  await h?.close();
});

const deps = () => ({ store: h.store, s3: h.s3, logger: h.logger });
const exists = (key: string) =>
  h.s3.send(new HeadObjectCommand({ Bucket: h.bucket, Key: key })).then(
    () => true,
    () => false,
  );

/** A registered, completed file whose transcript is in S3 (as CompleteTranscription leaves a large one). */
async function completedWithStoredTranscript(key: string) {
  const input = await h.put(key, wav);
  await registerUpload(input, { ...deps(), config: h.config });
  await h.store.setTranscriptStatus({ filename: key, status: 'processing', sequencer: input.sequencer });
  const transcriptKey = transcriptObjectKey(key);
  await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: transcriptKey, Body: 'a long transcript' }));
  await h.store.updateTranscript({
    filename: key,
    transcript: null,
    transcriptS3Key: transcriptKey,
    status: 'completed',
    sequencer: input.sequencer,
  });
  return { input, transcriptKey };
}

describe('deleteAudio (for the API)', () => {
  it('deletes the object, the transcript object and the row', async () => {
    const { transcriptKey } = await completedWithStoredTranscript('talk to delete.wav');
    await deleteAudio('talk to delete.wav', h.bucket, deps());
    expect(await h.store.getAudioFile('talk to delete.wav')).toBeUndefined();
    expect(await exists('talk to delete.wav')).toBe(false);
    expect(await exists(transcriptKey)).toBe(false);
  });

  it('deletes nothing for an unknown file', async () => {
    await h.put('not recorded.wav', wav);
    await expect(deleteAudio('not recorded.wav', h.bucket, deps())).rejects.toBeInstanceOf(NotFoundError);
    expect(await exists('not recorded.wav')).toBe(true);
  });
});

describe('an Object Deleted event', () => {
  it('removes the row and its transcript object', async () => {
    const { transcriptKey } = await completedWithStoredTranscript('gone.wav');
    await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: 'gone.wav' }));
    const result = await handleDeleteEvent(deletedEvent('gone.wav', nextSequencer()), deps());
    expect(result).toEqual({ deleted: ['gone.wav'], kept: [], ignored: 0 });
    expect(await h.store.getAudioFile('gone.wav')).toBeUndefined();
    expect(await exists(transcriptKey)).toBe(false);
  });

  it('resolves the key without assuming an encoding (classic record, URL-encoded)', async () => {
    await completedWithStoredTranscript('a+b (1).wav');
    await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: 'a+b (1).wav' }));
    const event = fixture('s3-notification-delete.json') as { Records: { s3: { object: Record<string, unknown> } }[] };
    Object.assign(event.Records[0]!.s3.object, { key: 'a%2Bb+%281%29.wav', sequencer: nextSequencer() });
    expect((await handleDeleteEvent(event, deps())).deleted).toEqual(['a+b (1).wav']);
  });

  it('keeps the row of an object uploaded again after the delete (events are unordered)', async () => {
    await completedWithStoredTranscript('back again.wav');
    const deleteSequencer = nextSequencer();
    // The object is back by the time the (older) delete event is handled.
    const result = await handleDeleteEvent(deletedEvent('back again.wav', deleteSequencer), deps());
    expect(result.kept).toEqual(['back again.wav']);
    expect(await h.store.getAudioFile('back again.wav')).toBeDefined();
  });

  it('keeps the row when it records a newer upload than the deleted one', async () => {
    const olderDelete = nextSequencer();
    await completedWithStoredTranscript('newer row.wav');
    await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: 'newer row.wav' }));
    const result = await handleDeleteEvent(deletedEvent('newer row.wav', olderDelete), deps());
    expect(result.kept).toEqual(['newer row.wav']);
  });

  it('ignores creations and the objects the pipeline writes itself', async () => {
    expect(await handleDeleteEvent(fixture('eventbridge-object-created.json'), deps())).toMatchObject({ ignored: 1 });
    expect(await handleDeleteEvent(deletedEvent('transcripts/x.txt', nextSequencer()), deps())).toMatchObject({
      ignored: 1,
    });
  });
});

describe('reading a transcript whose object is missing', () => {
  it('is a 410 that says what happened and how to get it back, not a 500', async () => {
    const { transcriptKey } = await completedWithStoredTranscript('lost transcript.wav');
    const row = await h.store.getAudioFile('lost transcript.wav');
    expect(await readTranscript(row!, async () => h.s3, h.bucket)).toBe('a long transcript');
    await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: transcriptKey }));
    const error = await readTranscript(row!, async () => h.s3, h.bucket).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GoneError);
    expect((error as GoneError).status).toBe(410);
    expect((error as Error).message).toMatch(/no longer stored.*Re-run the transcription/);
  });
});
