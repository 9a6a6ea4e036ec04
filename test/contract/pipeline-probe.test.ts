import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headObject } from '../../lib/ingest/head.js';
import { probeAudio } from '../../lib/ingest/probe.js';
import { type Harness, speech, startHarness, tone } from './pipeline-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('probeAudio (ranged reads against s3rver)', () => {
  it('finds the duration of espeak speech as WAV and MP3', async () => {
    for (const format of ['wav', 'mp3'] as const) {
      const body = await speech(h.dir, 'one two three four five', format);
      const input = await h.put(`speech.${format}`, body);
      const probe = await probeAudio(h.s3, h.bucket, input.key);
      expect(probe.problem).toBeUndefined();
      expect(probe.bytesFetched).toBeGreaterThan(0);
      expect(probe.duration).toBeGreaterThan(1);
      expect(probe.duration).toBeLessThan(4);
    }
  });

  it('fetches a few KB, not the object, for the duration of a large WAV and MP3', async () => {
    for (const [format, seconds] of [
      ['wav', 120],
      ['mp3', 300],
    ] as const) {
      const body = await tone(h.dir, seconds, format);
      const input = await h.put(`large.${format}`, body);
      const probe = await probeAudio(h.s3, h.bucket, input.key);
      expect(probe.duration).toBeCloseTo(seconds, 0);
      expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
      expect(probe.bytesFetched).toBeLessThan(256 * 1024);
    }
  });

  it('reports a text file named .mp3 as not audio', async () => {
    const input = await h.put('notes.mp3', 'These are my meeting notes, not a song.\n'.repeat(50), 'audio/mpeg');
    const probe = await probeAudio(h.s3, h.bucket, input.key);
    expect(probe.duration).toBeUndefined();
    expect(probe.problem).toBeTruthy();
  });

  it('headObject answers undefined for a missing object and a bare etag otherwise', async () => {
    expect(await headObject(h.s3, h.bucket, 'missing.mp3')).toBeUndefined();
    const input = await h.put('etag.wav', Buffer.from('RIFF'));
    expect((await headObject(h.s3, h.bucket, input.key))?.etag).toBe(input.etag);
  });
});
