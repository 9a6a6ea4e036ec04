import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MULTIPART_BODY_BYTES } from '../../../lib/http/body.js';
import { silentWav } from '../../helpers/audio.js';
import { formData } from '../../helpers/multipart.js';
import { call, createHarness, type Harness, localBucket } from './harness.js';

/**
 * `POST /api/audio/upload`: the old page's form and its recorder, as browsers send them
 * (multipart/form-data with `file`, `filename`, `description`), into s3rver and the store.
 */
describe('POST /api/audio/upload', () => {
  const bucket = localBucket();
  let h: Harness;
  let token: string;

  beforeEach(async () => {
    h = await createHarness({ s3: bucket.s3() });
    token = await h.tokenFor(await h.user('alice'));
  });
  afterEach(() => h.close());

  const upload = (fields: Record<string, string>, file?: { name?: string; type: string; content: Buffer }) => {
    const form = formData(fields, file ? [file] : []);
    return call('POST', '/api/audio/upload', { token, body: form.body, headers: form.headers });
  };
  const object = async (key: string) => {
    const got = await bucket
      .s3()
      .client()
      .send(new GetObjectCommand({ Bucket: 'audio', Key: key }));
    return { type: got.ContentType, bytes: Buffer.from(await got.Body!.transformToByteArray()) };
  };
  const exists = (key: string) =>
    bucket
      .s3()
      .client()
      .send(new HeadObjectCommand({ Bucket: 'audio', Key: key }))
      .then(
        () => true,
        () => false,
      );
  /** Every object in the bucket with its ETag: the bucket is shared by the tests of this block. */
  const objects = async () =>
    (
      await bucket
        .s3()
        .client()
        .send(new ListObjectsV2Command({ Bucket: 'audio' }))
    ).Contents?.map((o) => `${o.Key} ${o.ETag}`) ?? [];

  it('stores the recorder’s webm under the sanitized name with its own extension, and lists it pending at once', async () => {
    const webm = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(2000, 1)]);
    const res = await upload(
      { filename: 'Voice note: day #1', description: '' },
      { name: 'recording.webm', type: 'audio/webm', content: webm },
    );
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toMatchObject({
      filename: 'Voice-note-day-1.webm',
      size: webm.length,
      transcript_status: 'pending',
    });
    expect(await object('Voice-note-day-1.webm')).toEqual({ type: 'audio/webm', bytes: webm });
    const row = await h.deps.store.getAudioFile('Voice-note-day-1.webm');
    expect(row).toMatchObject({ size: webm.length, transcriptStatus: 'pending' });
    const list = await call('GET', '/api/audio/list', { token });
    expect(list.body.files.map((f: { filename: string }) => f.filename)).toEqual(['Voice-note-day-1.webm']);
    // The url in the answer plays the file.
    const played = await call('GET', res.body.url);
    expect(played.status).toBe(302);
  });

  it('reads the duration of the uploaded audio, and takes the file’s own name when no filename is given', async () => {
    const wav = silentWav(3);
    const res = await upload({}, { name: 'Kitchen Radio.WAV', type: 'audio/x-wav', content: wav });
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toMatchObject({ filename: 'Kitchen-Radio.wav', duration: 3, description: '' });
    expect((await object('Kitchen-Radio.wav')).type).toBe('audio/x-wav');
    expect((await h.deps.store.getAudioFile('Kitchen-Radio.wav'))?.duration).toBe(3);
  });

  it('answers 409 for a name that exists, and changes nothing', async () => {
    await bucket
      .s3()
      .client()
      .send(new PutObjectCommand({ Bucket: 'audio', Key: 'taken.mp3', Body: 'first' }));
    const res = await upload(
      { filename: 'taken' },
      { name: 'x.mp3', type: 'audio/mpeg', content: Buffer.from('ID3 second') },
    );
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe("File 'taken.mp3' already exists. Please choose a different name.");
    expect((await object('taken.mp3')).bytes.toString()).toBe('first');
    expect(await h.deps.store.getAudioFile('taken.mp3')).toBeUndefined();
  });

  it.each([
    [
      { filename: '!!!' },
      { name: 'a.mp3', type: 'audio/mpeg' },
      400,
      /Use only letters, numbers, hyphens, underscores, and spaces/,
    ],
    [{ filename: 'notes' }, { name: 'notes.txt', type: 'text/plain' }, 415, /"\.txt" files cannot be transcribed/],
    [
      { filename: 'blob' },
      { name: '', type: 'application/octet-stream' },
      415,
      /content type application\/octet-stream without a file extension/,
    ],
  ])('refuses %j with %j: %i, nothing stored', async (fields, file, status, detail) => {
    const before = await objects();
    const res = await upload(fields, { ...file, content: Buffer.from('content') });
    expect(res.status).toBe(status);
    expect(res.body.detail).toMatch(detail);
    expect((await h.deps.store.listAudioFiles()).items).toEqual([]);
    expect(await objects()).toEqual(before);
  });

  it('needs a file part (400 naming it) and a multipart body (415)', async () => {
    const none = await upload({ filename: 'x' });
    expect(none.status).toBe(400);
    expect(none.body.detail).toMatch(/body\.file/);
    const json = await call('POST', '/api/audio/upload', { token, body: { filename: 'x' } });
    expect(json.status).toBe(415);
    expect(json.body.detail).toMatch(/multipart\/form-data/);
  });

  it('answers 413 over what a Lambda can take, pointing to the presigned upload', async () => {
    const res = await upload(
      { filename: 'big' },
      { name: 'big.wav', type: 'audio/wav', content: Buffer.alloc(MAX_MULTIPART_BODY_BYTES + 1) },
    );
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/POST \/api\/audio\/upload-url/);
    expect(await exists('big.wav')).toBe(false);
  });

  it('takes no upload without a session', async () => {
    const form = formData({ filename: 'x' }, [{ name: 'x.mp3', type: 'audio/mpeg', content: Buffer.from('ID3') }]);
    const res = await call('POST', '/api/audio/upload', { body: form.body, headers: form.headers });
    expect(res.status).toBe(401);
    expect(await exists('x.mp3')).toBe(false);
  });
});
