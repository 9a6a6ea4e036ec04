import { describe, expect, it } from 'vitest';
import {
  EXECUTION_NAME_MAX,
  executionName,
  keyReadings,
  transcriptionJobName,
  unquoteEtag,
} from '../../../lib/ingest/keys.js';

const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;
const JOB_NAME = /^[0-9a-zA-Z._-]{1,200}$/;

describe('keyReadings', () => {
  it('reads a classic notification key decoded first (+ is a space, then percent-decoding), as written second', () => {
    expect(keyReadings('my+song+%281%29.mp3')).toEqual({
      readings: ['my song (1).mp3', 'my+song+%281%29.mp3'],
      undecodable: false,
    });
    expect(keyReadings('a%2Bb.mp3').readings).toEqual(['a+b.mp3', 'a%2Bb.mp3']);
    expect(keyReadings('caf%C3%A9%2F%F0%9F%8E%B5.mp3').readings[0]).toBe('café/🎵.mp3');
  });

  it('decodes exactly once: an encoded percent stays a percent', () => {
    expect(keyReadings('100%2525.mp3').readings).toEqual(['100%25.mp3', '100%2525.mp3']);
  });

  it('keeps a raw key that decodes differently as the second reading (EventBridge a+b.mp3)', () => {
    expect(keyReadings('a+b.mp3').readings).toEqual(['a b.mp3', 'a+b.mp3']);
  });

  it('has one reading for a key that decoding leaves unchanged', () => {
    expect(keyReadings('my song (1).mp3')).toEqual({ readings: ['my song (1).mp3'], undecodable: false });
  });

  it('has only the key as written for malformed percent-encoding, flagged undecodable', () => {
    for (const raw of ['100%.mp3', '100%+sure.mp3', 'bad%zz.mp3', 'trail%E2%82.mp3']) {
      expect(keyReadings(raw)).toEqual({ readings: [raw], undecodable: true });
    }
  });
});

describe('executionName', () => {
  const upload = { bucket: 'audio', key: 'my song (1).mp3', sequencer: '617F08299329D189', etag: 'abc' };

  it('is readable and stable for the same upload', () => {
    const name = executionName(upload);
    expect(name).toMatch(/^my-song-1-mp3-[0-9a-f]{12}$/);
    expect(executionName({ ...upload })).toBe(name);
  });

  it('treats sequencers that differ only by padding or case as the same upload', () => {
    expect(executionName({ ...upload, sequencer: '617f08299329d1890000' })).toBe(executionName(upload));
  });

  it('differs for another sequencer, etag, key, bucket or a re-run suffix', () => {
    const name = executionName(upload);
    expect(executionName({ ...upload, sequencer: '617F08299329D18A' })).not.toBe(name);
    expect(executionName({ ...upload, etag: 'abd' })).not.toBe(name);
    expect(executionName({ ...upload, key: 'my song (2).mp3' })).not.toBe(name);
    expect(executionName({ ...upload, bucket: 'other' })).not.toBe(name);
    expect(executionName(upload, 'rerun-1')).not.toBe(name);
  });

  it.each([
    ['spaces', 'a b c.mp3'],
    ['slashes', 'folder/sub folder/file.mp3'],
    ['emoji only', '🎵🎶'],
    ['accents', 'Café déjà vu.mp3'],
    ['1,000 characters', `${'long name '.repeat(100)}.mp3`],
    ['symbols only', '%%%+++///'],
  ])('fits Step Functions rules for %s', (_label, key) => {
    const name = executionName({ ...upload, key });
    expect(name).toMatch(EXECUTION_NAME);
    expect(name.length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
    expect(executionName({ ...upload, key })).toBe(name);
  });

  it('fits with a re-run suffix on a 1,000-character key', () => {
    const name = executionName({ ...upload, key: 'x'.repeat(1000) }, 'rerun-lz3k9a1b');
    expect(name).toMatch(EXECUTION_NAME);
  });
});

describe('unquoteEtag', () => {
  it('compares HeadObject and event etags bare, multipart ones included', () => {
    expect(unquoteEtag('"4af981f98d22a0b9979da24b259e5e42-12"')).toBe('4af981f98d22a0b9979da24b259e5e42-12');
    expect(unquoteEtag('4af981f98d22a0b9979da24b259e5e42-12')).toBe('4af981f98d22a0b9979da24b259e5e42-12');
    expect(unquoteEtag('')).toBeNull();
  });
});

describe('transcriptionJobName', () => {
  it('is the execution name, so a retried task adopts its own job', () => {
    expect(transcriptionJobName({ execution: 'my-song-1-mp3-0123456789ab', bucket: 'audio', key: 'x' })).toBe(
      'my-song-1-mp3-0123456789ab',
    );
  });

  it('is derived deterministically when the execution name does not fit', () => {
    const input = { execution: 'arn:aws:states:us-east-1:1:execution:sm:🎵', bucket: 'audio', key: 'a b/🎵.mp3' };
    const name = transcriptionJobName(input);
    expect(name).toMatch(JOB_NAME);
    expect(transcriptionJobName({ ...input })).toBe(name);
  });
});
