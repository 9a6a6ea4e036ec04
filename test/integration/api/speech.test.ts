import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerUpload } from '../../../lib/ingest/register.js';
import { EspeakSynthesizer } from '../../../lib/synthesize/espeak.js';
import { hasCommand } from '../../helpers/local-stack.js';
import { oldResponse, shapeDifferences } from '../../helpers/old-shapes.js';
import { call, createHarness, type Harness, localBucket } from './harness.js';

/**
 * `POST /api/audio/generate-tts` and `GET /api/audio/tts/voices` with the local engine (espeak-ng,
 * lame) into s3rver: the MP3 is stored, the row is completed with the text, and the upload event
 * the write causes changes nothing (RegisterUpload ends quietly on it).
 */
const missing = ['espeak-ng', 'lame'].filter((tool) => !hasCommand(tool));
const TEXT = 'The little fox listened to the river all night long.';

describe.skipIf(missing.length > 0)(`text to speech (needs ${missing.join(', ') || 'nothing missing'})`, () => {
  const bucket = localBucket();
  let h: Harness;
  let token: string;

  beforeEach(async () => {
    h = await createHarness({ env: { SYNTHESIZER: 'local' }, s3: bucket.s3() });
    h.deps.synthesizer = new EspeakSynthesizer();
    token = await h.tokenFor(await h.user('alice'));
  });
  afterEach(() => h.close());

  const generate = (body: unknown) => call('POST', '/api/audio/generate-tts', { token, body });

  it('speaks the text into an MP3 in S3, completed with the text as its transcript, in the old shape', async () => {
    const res = await generate({ filename: 'Fox Story', text: TEXT, voice_id: 'en-gb' });
    expect(res.status, res.raw).toBe(200);
    expect(shapeDifferences(res.body, oldResponse('generate-tts').response)).toEqual([]);
    expect(res.body).toMatchObject({
      success: true,
      filename: 'Fox-Story.mp3',
      transcript_status: 'completed',
      voice_id: 'en-gb',
      engine: 'espeak-ng',
      message: "Successfully generated 'Fox-Story.mp3'",
    });
    expect(res.body.duration).toBeGreaterThanOrEqual(2);
    const object = await bucket
      .s3()
      .client()
      .send(new GetObjectCommand({ Bucket: 'audio', Key: 'Fox-Story.mp3' }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    expect(object.ContentType).toBe('audio/mpeg');
    expect(object.Metadata).toEqual({ transcript: 'provided' });
    expect(bytes.length).toBe(res.body.size);
    // An MP3: an ID3 tag or an MPEG frame sync at the start.
    expect(
      bytes.subarray(0, 3).toString('latin1') === 'ID3' || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0),
    ).toBe(true);
    expect(await h.deps.store.getAudioFile('Fox-Story.mp3')).toMatchObject({
      transcript: TEXT,
      transcriptStatus: 'completed',
      size: bytes.length,
      duration: res.body.duration,
    });
    const found = await call('GET', '/api/audio/search?q=river', { token });
    expect(found.body.results.map((r: { filename: string }) => r.filename)).toEqual(['Fox-Story.mp3']);
    expect((await call('GET', res.body.url)).status).toBe(302);
  }, 30_000);

  it('its S3 event starts no transcription: RegisterUpload leaves the completed row as it is', async () => {
    const res = await generate({ filename: 'quiet', text: TEXT });
    const head = await bucket
      .s3()
      .client()
      .send(new HeadObjectCommand({ Bucket: 'audio', Key: 'quiet.mp3' }));
    const input = {
      bucket: 'audio',
      key: 'quiet.mp3',
      sequencer: '0066B1A2C3D4E5F601',
      etag: head.ETag ?? null,
      size: res.body.size,
      execution: 'quiet-mp3-0123456789ab',
    };
    const deps = { s3: bucket.s3().client(), store: h.deps.store, config: h.deps.config, logger: h.deps.logger };
    const registered = await registerUpload(input, deps);
    expect(registered).toMatchObject({ stale: true, reason: 'its transcript came with it (text to speech)' });
    expect(await h.deps.store.getAudioFile('quiet.mp3')).toMatchObject({
      transcriptStatus: 'completed',
      transcript: TEXT,
    });

    // The same mark on an object whose row is not the one text to speech wrote: registered as any upload.
    await bucket
      .s3()
      .client()
      .send(
        new PutObjectCommand({
          Bucket: 'audio',
          Key: 'marked.mp3',
          Body: Buffer.from(
            await (
              await bucket
                .s3()
                .client()
                .send(new GetObjectCommand({ Bucket: 'audio', Key: 'quiet.mp3' }))
            ).Body!.transformToByteArray(),
          ),
          Metadata: { transcript: 'provided' },
        }),
      );
    const marked = await registerUpload(
      { ...input, key: 'marked.mp3', etag: null, execution: 'marked-mp3-0123456789ab' },
      deps,
    );
    expect(marked.stale).toBe(false);
    expect((await h.deps.store.getAudioFile('marked.mp3'))?.transcriptStatus).toBe('pending');
  }, 30_000);

  it('plays the old page’s Polly voice names with the local default, and says so', async () => {
    const res = await generate({ filename: 'voice-preview-Joanna-1', text: 'Hello! I am Joanna.', voice_id: 'Joanna' });
    expect(res.status, res.raw).toBe(200);
    expect(res.body.voice_id).toBe('en-us');
    expect(res.body.message).toBe(
      `Successfully generated 'voice-preview-Joanna-1.mp3' (espeak-ng has no voice "Joanna"; en-us spoke instead)`,
    );
  }, 30_000);

  it('refuses a taken name (409), an empty or too long text and a name with nothing left (400), storing nothing', async () => {
    await bucket
      .s3()
      .client()
      .send(new PutObjectCommand({ Bucket: 'audio', Key: 'taken.mp3', Body: 'first' }));
    const taken = await generate({ filename: 'taken', text: TEXT });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toBe("File 'taken.mp3' already exists. Please choose a different name.");
    for (const [body, detail] of [
      [{ filename: 'x', text: '' }, /body\.text: give the text to speak/],
      [{ filename: 'x', text: '   ' }, /The text to speak is empty/],
      [{ filename: 'x', text: 'word '.repeat(700) }, /the limit is 3,000 per file/],
      [{ filename: '???', text: TEXT }, /Use only letters, numbers, hyphens, underscores, and spaces/],
    ] as const) {
      const res = await generate(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    }
    expect((await h.deps.store.listAudioFiles()).items).toEqual([]);
  });

  it('lists the voices of the active engine', async () => {
    const res = await call('GET', '/api/audio/tts/voices', { token });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(res.body.voices.length);
    expect(res.body.voices).toContainEqual(expect.objectContaining({ id: 'en-us', language_code: 'en-us' }));
    expect((await call('GET', '/api/audio/tts/voices')).status).toBe(401);
  });
});
