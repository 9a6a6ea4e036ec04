import { describe, expect, it } from 'vitest';
import { UnsupportedMediaError, ValidationError } from '../../../lib/errors.js';
import { sanitizeBaseName, uploadContentType, uploadName } from '../../../lib/http/upload-name.js';

/**
 * The Python service's rule (yoto_smart_stream/api/routes/cards.py, upload_audio, commit
 * 48526691939b496e15ead55d4ff5ac39670cbd3d): strip, drop a known audio extension, keep
 * `c.isalnum() or c in ("-", "_")`, turn " " into "-", drop the rest. Expected values are what
 * that Python expression gives for each input.
 */
describe('upload names, sanitized the old way', () => {
  it.each([
    ['My Recording', 'My-Recording'],
    ['  story time  ', 'story-time'],
    ['story.mp3', 'story'],
    ['Story.MP3', 'Story'],
    ['a.b.c', 'abc'],
    ['tab\there', 'tabhere'],
    ['café au lait', 'café-au-lait'],
    ['日本語 テスト', '日本語-テスト'],
    ['x²', 'x²'],
    ['../../etc/passwd', 'etcpasswd'],
    ['a/b\\c', 'abc'],
    ['100% done!', '100-done'],
    ['under_score-dash', 'under_score-dash'],
    ['emoji 🎵 song', 'emoji--song'],
    ['   ', ''],
  ])('%j → %j', (requested, expected) => {
    expect(sanitizeBaseName(requested)).toBe(expected);
  });

  it('keeps the format of the uploaded file: its own extension, else the requested one, else its content type', () => {
    expect(uploadName('My Recording', { filename: 'recording.webm', mimetype: 'audio/webm' })).toEqual({
      filename: 'My-Recording.webm',
      format: 'webm',
    });
    expect(uploadName('talk.mp3', { filename: 'TALK.WAV', mimetype: 'audio/wav' }).filename).toBe('talk.wav');
    expect(uploadName('talk.m4a', { filename: 'blob', mimetype: 'application/octet-stream' }).filename).toBe(
      'talk.m4a',
    );
    expect(uploadName('voice note', { filename: '', mimetype: 'audio/ogg; codecs=opus' }).filename).toBe(
      'voice-note.ogg',
    );
  });

  it('refuses a name with nothing left in the old words, and a format that cannot be transcribed', () => {
    expect(() => uploadName('!!!', { filename: 'a.mp3', mimetype: 'audio/mpeg' })).toThrow(
      new ValidationError('Invalid filename. Use only letters, numbers, hyphens, underscores, and spaces.'),
    );
    expect(() => uploadName('notes', { filename: 'notes.txt', mimetype: 'text/plain' })).toThrow(UnsupportedMediaError);
    expect(() => uploadName('notes', { filename: 'notes.txt', mimetype: 'text/plain' })).toThrow(
      /"\.txt" files cannot be transcribed\. Upload one of: amr, flac/,
    );
    expect(() => uploadName('blob', { filename: '', mimetype: 'application/octet-stream' })).toThrow(
      UnsupportedMediaError,
    );
    expect(() => uploadName('é'.repeat(600), { filename: 'a.mp3', mimetype: 'audio/mpeg' })).toThrow(/1,024 bytes/);
  });

  it('stores the content type the file was sent with when it fits its format', () => {
    expect(uploadContentType('webm', 'audio/webm;codecs=opus')).toBe('audio/webm');
    expect(uploadContentType('mp3', 'application/octet-stream')).toBe('audio/mpeg');
    expect(uploadContentType('wav', 'AUDIO/X-WAV')).toBe('audio/x-wav');
  });
});
