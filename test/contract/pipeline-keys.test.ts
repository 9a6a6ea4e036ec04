import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndecodableKeyError } from '../../lib/ingest/errors.js';
import { parseUploadEvent } from '../../lib/ingest/events.js';
import { markFailed } from '../../lib/ingest/fail.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { type RegisterDeps, registerUpload } from '../../lib/ingest/register.js';
import { type Harness, nextSequencer, speech, startHarness } from './pipeline-harness.js';

/**
 * S3 keys without a guess: RegisterUpload tries the decoded reading of the event's key, then the
 * key as written, against a real S3 endpoint (s3rver), and records the one that exists. Both
 * event shapes come from the recorded fixtures with only the key (and upload identity) replaced.
 */
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/events', name), 'utf8')) as unknown;

/** The recorded classic notification (s3-notification-put.json) for another object. */
function classicEvent(key: string, upload: { etag: string | null; sequencer: string | null }) {
  const event = fixture('s3-notification-put.json') as { Records: { s3: { object: Record<string, unknown> } }[] };
  Object.assign(event.Records[0]!.s3.object, { key, eTag: upload.etag, sequencer: upload.sequencer });
  return event;
}

/** The recorded EventBridge "Object Created" (eventbridge-object-created.json) for another object. */
function bridgeEvent(key: string, upload: { etag: string | null; sequencer: string | null }) {
  const event = fixture('eventbridge-object-created.json') as { detail: { object: Record<string, unknown> } };
  Object.assign(event.detail.object, { key, etag: upload.etag, sequencer: upload.sequencer });
  return event;
}

const inputOf = (event: unknown): IngestInput => {
  const [input] = parseUploadEvent(event).uploads;
  if (!input) throw new Error('the event has no upload');
  return input;
};

let h: Harness;
let deps: RegisterDeps;
let mp3: Buffer;
beforeAll(async () => {
  h = await startHarness();
  deps = { s3: h.s3, store: h.store, config: h.config, logger: h.logger };
  mp3 = await speech(h.dir, 'keys are resolved against the bucket', 'mp3');
});
afterAll(async () => {
  await h?.close();
});

/**
 * Each filename with the key a classic notification spells it as (S3 URL-encodes it: recorded
 * samples in the fixtures README) and as the EventBridge samples spell it (as stored).
 */
const CASES = [
  { filename: 'my song (1).mp3', classic: 'my+song+%281%29.mp3', bridge: 'my song (1).mp3' },
  { filename: 'a+b.mp3', classic: 'a%2Bb.mp3', bridge: 'a+b.mp3' },
  { filename: '100%.mp3', classic: '100%25.mp3', bridge: '100%.mp3' },
];

describe.each(CASES)('$filename', ({ filename, classic, bridge }) => {
  it.each([
    ['a classic notification (URL-encoded key)', () => classic, classicEvent],
    ['EventBridge (key as stored)', () => bridge, bridgeEvent],
    // Whichever spelling a source uses, the same key is found: nothing assumes an encoding.
    ['EventBridge, were it to URL-encode', () => classic, bridgeEvent],
    ['a classic record with the key as stored (s3rver)', () => bridge, classicEvent],
  ] as const)('is recorded under its real key from %s', async (_label, spelling, shape) => {
    const upload = await h.put(filename, mp3);
    const input = inputOf(shape(spelling(), upload));
    const registered = await registerUpload(input, deps);
    expect(registered).toMatchObject({ key: filename, stale: false, mediaFormat: 'mp3' });
    const row = await h.store.getAudioFile(filename);
    expect(row).toMatchObject({ transcriptStatus: 'pending', etag: upload.etag, size: mp3.length });
    for (const other of [classic, bridge].filter((key) => key !== filename)) {
      expect(await h.store.getAudioFile(other)).toBeUndefined();
    }
    await h.store.deleteAudioFile(filename);
  });
});

describe('when both readings exist', () => {
  it('records the object whose ETag the event carries, not the first reading', async () => {
    await h.put('x y.mp3', Buffer.concat([mp3, Buffer.alloc(10)]));
    const upload = await h.put('x+y.mp3', mp3);
    const registered = await registerUpload(inputOf(bridgeEvent('x+y.mp3', upload)), deps);
    expect(registered.key).toBe('x+y.mp3');
    expect(await h.store.getAudioFile('x y.mp3')).toBeUndefined();
    expect((await h.store.getAudioFile('x+y.mp3'))?.etag).toBe(upload.etag);
  });
});

describe('a key that is not valid percent-encoding', () => {
  it('is recorded as written when that object exists', async () => {
    const upload = await h.put('50% off.mp3', mp3);
    const registered = await registerUpload(inputOf(classicEvent('50% off.mp3', upload)), deps);
    expect(registered).toMatchObject({ key: '50% off.mp3', stale: false });
  });

  it('ends failed "undecodable key" when no object has it, without a row', async () => {
    const event = fixture('s3-notification-malformed-key.json');
    const input = inputOf(event);
    const error = await registerUpload(input, deps).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UndecodableKeyError);
    const failed = await markFailed(
      { ...input, error: { Error: 'UndecodableKeyError', Cause: (error as Error).message } },
      { store: h.store, s3: h.s3, logger: h.logger },
    );
    expect(failed).toEqual({ reason: expect.stringMatching(/^undecodable key "100%25\+sure%\.mp3"/), recorded: false });
    expect(await h.store.getAudioFile(input.key)).toBeUndefined();
  });
});

it('ends quietly when no reading exists (deleted before the run)', async () => {
  const input = inputOf(bridgeEvent('gone (2).mp3', { etag: 'abc', sequencer: nextSequencer() }));
  expect(await registerUpload(input, deps)).toMatchObject({ stale: true, reason: 'the object no longer exists' });
});
