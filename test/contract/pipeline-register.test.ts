import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedMediaError } from '../../lib/errors.js';
import { UndecodableKeyError } from '../../lib/ingest/errors.js';
import { markFailed } from '../../lib/ingest/fail.js';
import { type RegisterDeps, registerUpload } from '../../lib/ingest/register.js';
import { type Harness, nextSequencer, speech, startHarness } from './pipeline-harness.js';

let h: Harness;
let deps: RegisterDeps;
let wav: Buffer;
beforeAll(async () => {
  h = await startHarness({ MAX_DURATION_SECONDS: '300', MAX_SIZE_BYTES: String(20 * 1024 * 1024) });
  deps = { s3: h.s3, store: h.store, config: h.config, logger: h.logger };
  wav = await speech(h.dir, 'hello there, this is a test of the pipeline');
});
afterAll(async () => {
  await h?.close();
});

/** Runs RegisterUpload, and on failure MarkFailed with the error as the Catch would pass it. */
async function registerOrFail(input: Awaited<ReturnType<Harness['put']>>) {
  try {
    return { registered: await registerUpload(input, deps) };
  } catch (error) {
    const caught = { Error: (error as Error).name, Cause: (error as Error).message };
    return { error, failed: await markFailed({ ...input, error: caught }, { store: h.store, logger: h.logger }) };
  }
}

describe('registerUpload', () => {
  it('records a speech WAV as pending with size and whole-second duration', async () => {
    const input = await h.put('greeting (1).wav', wav);
    const registered = await registerUpload(input, deps);
    expect(registered).toMatchObject({ stale: false, size: wav.length, mediaFormat: 'wav' });
    expect(registered.duration).toBeGreaterThan(1);
    const row = await h.store.getAudioFile('greeting (1).wav');
    expect(row).toMatchObject({ transcriptStatus: 'pending', size: wav.length, etag: input.etag });
    expect(row?.duration).toBe(Math.round(registered.duration ?? -1));
  });

  it.each([
    [
      'a text file named .mp3',
      'notes.mp3',
      Buffer.from('Meeting notes: buy milk.\n'.repeat(40)),
      /not audio that can be read/,
    ],
    ['an empty file', 'empty.mp3', Buffer.alloc(0), /empty \(0 bytes\)/],
    [
      'a .wma file',
      'song.wma',
      Buffer.from('0&\u00b2u\u008ef\u00cf\u0011'.repeat(100)),
      /\.wma.*amr, flac, m4a, mp3, mp4, ogg, webm, wav/,
    ],
    [
      'a file over MAX_SIZE_BYTES',
      'huge.wav',
      Buffer.alloc(20 * 1024 * 1024 + 1),
      /too large: 20\.0 MB, the limit is 20\.0 MB/,
    ],
  ])('rejects %s with a readable reason, stored on the row as failed', async (_label, key, body, reason) => {
    const input = await h.put(key, body);
    const outcome = await registerOrFail(input);
    expect(outcome.error).toBeInstanceOf(UnsupportedMediaError);
    expect(outcome.failed).toMatchObject({ recorded: true, reason: expect.stringMatching(reason) });
    const row = await h.store.getAudioFile(key);
    expect(row).toMatchObject({ transcriptStatus: 'failed', size: body.length });
    expect(row?.transcriptError).toMatch(reason);
  });

  it('rejects audio shorter than 500 ms', async () => {
    const header = wav.subarray(0, 44);
    const short = Buffer.concat([header, Buffer.alloc(22050 * 2 * 0.2)]);
    short.writeUInt32LE(short.length - 8, 4);
    short.writeUInt32LE(short.length - 44, 40);
    const outcome = await registerOrFail(await h.put('blip.wav', short));
    expect(outcome.failed?.reason).toMatch(/too short: 0\.20 s, transcription needs at least 0\.5 s/);
  });

  it('rejects audio longer than MAX_DURATION_SECONDS', async () => {
    const header = Buffer.from(wav.subarray(0, 44));
    const long = Buffer.concat([header, Buffer.alloc(header.readUInt32LE(28) * 301)]);
    long.writeUInt32LE(long.length - 8, 4);
    long.writeUInt32LE(long.length - 44, 40);
    const outcome = await registerOrFail(await h.put('lecture.wav', long));
    expect(outcome.failed?.reason).toMatch(/too long: 301 s, the limit is 300 s/);
  });

  it('fails an undecodable key without touching S3 or the store', async () => {
    const input = {
      bucket: h.bucket,
      key: 'bad%zz.mp3',
      sequencer: null,
      etag: null,
      size: 1,
      execution: 'x',
      keyError: 'undecodable key "bad%zz.mp3"',
    };
    await expect(registerUpload(input, deps)).rejects.toBeInstanceOf(UndecodableKeyError);
    const failed = await markFailed(
      { ...input, error: { Error: 'UndecodableKeyError', Cause: input.keyError } },
      { store: h.store, logger: h.logger },
    );
    expect(failed).toEqual({ reason: 'undecodable key "bad%zz.mp3"', recorded: false });
    expect(await h.store.getAudioFile('bad%zz.mp3')).toBeUndefined();
  });

  it('treats the same event twice as one upload: status unchanged', async () => {
    const input = await h.put('twice.wav', wav);
    await registerUpload(input, deps);
    await h.store.setTranscriptStatus({ filename: 'twice.wav', status: 'processing', sequencer: input.sequencer });
    const again = await registerUpload(input, deps);
    expect(again.stale).toBe(false);
    expect((await h.store.getAudioFile('twice.wav'))?.transcriptStatus).toBe('processing');
  });

  it('ignores an older event after a newer one: nothing rolled back', async () => {
    const older = await h.put('order.wav', wav);
    const newerBody = Buffer.concat([wav, Buffer.alloc(4410)]);
    const newer = await h.put('order.wav', newerBody);
    await registerUpload(newer, deps);
    // The older event arrives last, and (as in S3) its etag no longer matches the object either.
    const stale = await registerUpload({ ...older, etag: null }, deps);
    expect(stale).toMatchObject({ stale: true, reason: expect.stringMatching(/newer upload/) });
    const row = await h.store.getAudioFile('order.wav');
    expect(row).toMatchObject({ size: newerBody.length, etag: newer.etag });
  });

  it('skips an event whose object was overwritten since (etag differs)', async () => {
    const first = await h.put('replaced.wav', wav);
    await h.put('replaced.wav', Buffer.concat([wav, Buffer.alloc(100)]));
    expect(await registerUpload(first, deps)).toMatchObject({ stale: true, reason: expect.stringMatching(/replaced/) });
    expect(await h.store.getAudioFile('replaced.wav')).toBeUndefined();
  });

  it('ends quietly when the object was deleted before the run', async () => {
    const input = {
      bucket: h.bucket,
      key: 'gone.wav',
      sequencer: nextSequencer(),
      etag: 'abc',
      size: 10,
      execution: 'x',
    };
    expect(await registerUpload(input, deps)).toMatchObject({ stale: true, reason: 'the object no longer exists' });
  });

  it('processes a multipart upload (etag …-N) like a single PUT', async () => {
    const header = Buffer.from(wav.subarray(0, 44));
    const body = Buffer.concat([header, Buffer.alloc(6 * 1024 * 1024)]);
    body.writeUInt32LE(body.length - 8, 4);
    body.writeUInt32LE(body.length - 44, 40);
    const key = 'multipart talk.wav';
    const { UploadId } = await h.s3.send(new CreateMultipartUploadCommand({ Bucket: h.bucket, Key: key }));
    const parts = [body.subarray(0, 5 * 1024 * 1024), body.subarray(5 * 1024 * 1024)];
    const etags = [];
    for (const [index, part] of parts.entries()) {
      const { ETag } = await h.s3.send(
        new UploadPartCommand({ Bucket: h.bucket, Key: key, UploadId, PartNumber: index + 1, Body: part }),
      );
      etags.push({ ETag, PartNumber: index + 1 });
    }
    const done = await h.s3.send(
      new CompleteMultipartUploadCommand({ Bucket: h.bucket, Key: key, UploadId, MultipartUpload: { Parts: etags } }),
    );
    // Real S3 reports "<md5 of part md5s>-2" in the event and on HeadObject alike; s3rver reports a
    // whole-object MD5 on both. Either way the event's etag matches HeadObject's.
    const etag = (done.ETag ?? '').replace(/"/g, '');
    const input = {
      bucket: h.bucket,
      key,
      sequencer: nextSequencer(),
      etag,
      size: body.length,
      execution: 'multipart',
    };
    expect(await registerUpload(input, deps)).toMatchObject({ stale: false, size: body.length, mediaFormat: 'wav' });
    expect(await h.store.getAudioFile(key)).toMatchObject({ transcriptStatus: 'pending', etag });
  });
});
