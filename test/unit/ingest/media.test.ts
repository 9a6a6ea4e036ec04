import { describe, expect, it } from 'vitest';
import { UnsupportedMediaError } from '../../../lib/errors.js';
import { AUDIO_CONTENT_TYPES, AUDIO_TYPES } from '../../../lib/http/audio.js';
import { uploadUrlRoute } from '../../../lib/http/routes/audio.js';
import { EXTENSIONS, MEDIA_FORMATS, mediaFormat, SUPPORTED_FORMATS } from '../../../lib/ingest/media.js';

describe('mediaFormat', () => {
  it.each(SUPPORTED_FORMATS)('accepts .%s', (format) => {
    expect(mediaFormat(`file.${format}`)).toBe(format);
    expect(mediaFormat(`FILE.${format.toUpperCase()}`)).toBe(format);
  });

  it.each([
    ['oga', 'ogg'],
    ['opus', 'ogg'],
    ['wave', 'wav'],
  ])('reads .%s as %s', (extension, format) => {
    expect(mediaFormat(`voice.${extension}`)).toBe(format);
  });

  it('falls back to the content type for a key without extension', () => {
    expect(mediaFormat('voice-memo', 'audio/mpeg')).toBe('mp3');
    expect(mediaFormat('voice-memo', 'audio/x-wav; charset=binary')).toBe('wav');
    // audio/mp4 is listed by m4a and mp4: the first format listing it wins.
    expect(mediaFormat('voice-memo', 'audio/mp4')).toBe('m4a');
  });

  it('rejects .wma naming the supported formats', () => {
    const attempt = () => mediaFormat('song.wma', 'audio/x-ms-wma');
    expect(attempt).toThrow(UnsupportedMediaError);
    expect(attempt).toThrow(/"\.wma".*amr, flac, m4a, mp3, mp4, ogg, webm, wav/);
  });

  it('rejects a key without extension and no usable content type', () => {
    expect(() => mediaFormat('notes', 'text/plain')).toThrow(/content type text\/plain/);
    expect(() => mediaFormat('notes')).toThrow(UnsupportedMediaError);
  });
});

describe('one media table for the upload URL and the pipeline', () => {
  const extensions = Object.entries(MEDIA_FORMATS).flatMap(([format, entry]) =>
    entry.extensions.map((extension) => [extension, format, entry.contentTypes] as const),
  );

  it.each(extensions)(
    'upload-url accepts .%s with each of its content types, and the pipeline reads it as %s',
    (extension, format, contentTypes) => {
      for (const contentType of contentTypes) {
        const parsed = uploadUrlRoute.body?.safeParse({ filename: `talk.${extension}`, content_type: contentType });
        expect(parsed?.success, `${extension} ${contentType}`).toBe(true);
      }
      expect(mediaFormat(`talk.${extension}`)).toBe(format);
    },
  );

  it('offers upload-url exactly the extensions and content types the pipeline knows', () => {
    expect(Object.keys(AUDIO_TYPES).sort()).toEqual(Object.keys(EXTENSIONS).sort());
    expect(new Set(AUDIO_CONTENT_TYPES)).toEqual(
      new Set(Object.values(MEDIA_FORMATS).flatMap((entry) => entry.contentTypes)),
    );
  });

  it('refuses at upload-url what the pipeline would refuse', () => {
    const parsed = uploadUrlRoute.body?.safeParse({ filename: 'song.wma', content_type: 'audio/mpeg' });
    expect(parsed?.success).toBe(false);
    expect(() => mediaFormat('song.wma')).toThrow(UnsupportedMediaError);
  });
});
