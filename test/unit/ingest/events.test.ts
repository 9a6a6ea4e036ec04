import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { handleUploadEvent, parseUploadEvent } from '../../../lib/ingest/events.js';
import type { ExecutionStarter, StartExecutionRequest } from '../../../lib/ingest/ports.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/events', name), 'utf8'));

/** The recorded EventBridge "Object Created" sample with another key. */
function withBridgeKey(key: string): unknown {
  const event = fixture('eventbridge-object-created.json') as { detail: { object: { key: string } } };
  event.detail.object.key = key;
  return event;
}

const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** An in-memory starter with Step Functions' name rule: a used name is not started again. */
function recordingStarter(): Pick<ExecutionStarter, 'start'> & { requests: StartExecutionRequest[] } {
  const names = new Set<string>();
  const requests: StartExecutionRequest[] = [];
  return {
    requests,
    async start(request) {
      requests.push(request);
      if (names.has(request.name)) return { started: false };
      names.add(request.name);
      return { started: true };
    },
  };
}

describe('parseUploadEvent', () => {
  it('reads an EventBridge "Object Created" event; a key decoding leaves unchanged has one reading', () => {
    const { uploads, ignored } = parseUploadEvent(fixture('eventbridge-object-created.json'));
    expect(ignored).toBe(0);
    expect(uploads).toEqual([
      {
        bucket: 'audio',
        key: 'my song (1).mp3',
        sequencer: '617f08299329d189',
        etag: 'b1946ac92492d2347c6235b4d2611184',
        size: 48213,
        execution: expect.stringMatching(/^my-song-1-mp3-[0-9a-f]{12}$/),
      },
    ]);
  });

  it('carries both readings of a classic key, decoded first: my+song+%281%29.mp3', () => {
    const { uploads } = parseUploadEvent(fixture('s3-notification-put.json'));
    expect(uploads.map(({ key, eventKey }) => ({ key, eventKey }))).toEqual([
      { key: 'my song (1).mp3', eventKey: 'my+song+%281%29.mp3' },
    ]);
  });

  it('assumes no encoding for EventBridge keys either: a+b.mp3 carries a b.mp3 and a+b.mp3', () => {
    const event = withBridgeKey('a+b.mp3');
    expect(parseUploadEvent(event).uploads.map(({ key, eventKey }) => ({ key, eventKey }))).toEqual([
      { key: 'a b.mp3', eventKey: 'a+b.mp3' },
    ]);
  });

  it('gives the same upload the same name whichever way it arrives', () => {
    const viaBridge = parseUploadEvent(fixture('eventbridge-object-created.json')).uploads[0];
    const record = fixture('s3-notification-put.json') as { Records: { s3: { object: Record<string, unknown> } }[] };
    const object = record.Records[0]?.s3.object;
    if (!object) throw new Error('fixture has no record');
    Object.assign(object, { sequencer: '617f08299329d189', eTag: 'b1946ac92492d2347c6235b4d2611184' });
    expect(parseUploadEvent(record).uploads[0]?.execution).toBe(viaBridge?.execution);
  });

  it('reads a batch, keeps multipart etags, and skips the delete in it', () => {
    const { uploads, ignored } = parseUploadEvent(fixture('s3-notification-batch.json'));
    expect(uploads.map((upload) => upload.key)).toEqual(['a+b.mp3', 'long talk.wav']);
    expect(uploads[1]?.etag).toBe('4af981f98d22a0b9979da24b259e5e42-12');
    expect(ignored).toBe(1);
  });

  it.each([
    'eventbridge-object-deleted.json',
    'eventbridge-object-tags-added.json',
    'eventbridge-object-acl-updated.json',
    's3-notification-delete.json',
    's3-notification-tagging.json',
    's3-notification-acl.json',
  ])('starts nothing for %s', (name) => {
    const { uploads, ignored } = parseUploadEvent(fixture(name));
    expect(uploads).toEqual([]);
    expect(ignored).toBe(1);
  });

  it('keeps a malformed key as written, flagged: RegisterUpload fails it only if no object has it', () => {
    const { uploads } = parseUploadEvent(fixture('s3-notification-malformed-key.json'));
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ key: '100%25+sure%.mp3', keyError: expect.stringMatching(/undecodable key/) });
    expect(uploads[0]?.eventKey).toBeUndefined();
    expect(uploads[0]?.execution).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    // The same for an EventBridge key that is not percent-encoding at all.
    expect(parseUploadEvent(withBridgeKey('100%.mp3')).uploads[0]).toMatchObject({ key: '100%.mp3' });
  });

  it('ignores objects the pipeline writes itself', () => {
    expect(parseUploadEvent(withBridgeKey('transcripts/my-song.json')).uploads).toEqual([]);
    expect(parseUploadEvent(withBridgeKey('.write_access_check_file.temp')).uploads).toEqual([]);
  });

  it('accepts events from IPv6 requesters (S3 dual-stack endpoints) and from s3rver', () => {
    const bridge = withBridgeKey('v6.mp3') as { detail: Record<string, unknown> };
    bridge.detail['source-ip-address'] = '2001:db8::1';
    expect(parseUploadEvent(bridge).uploads).toHaveLength(1);
    const classic = fixture('s3-notification-put.json') as {
      Records: { requestParameters: { sourceIPAddress: string } }[];
    };
    classic.Records[0]!.requestParameters.sourceIPAddress = '::ffff:127.0.0.1';
    expect(parseUploadEvent(classic).uploads).toHaveLength(1);
  });

  it.each([
    ['an SQS-wrapped notification (nothing wires SQS)', 'sqs-s3-notification.json', /Records\.0\.eventSource/],
    ['the S3 test event', 's3-test-event.json', /detail|source/],
  ])('refuses %s with an error naming the accepted shapes', (_label, name, detail) => {
    const attempt = () => parseUploadEvent(fixture(name));
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/Not an S3 object event: expected an EventBridge event from aws\.s3/);
    expect(attempt).toThrow(detail);
  });

  it('refuses things that are not events at all', () => {
    expect(() => parseUploadEvent(null)).toThrow(ValidationError);
    expect(() => parseUploadEvent({ Records: [] })).toThrow(/Records/);
  });
});

describe('handleUploadEvent', () => {
  it('starts one execution; the same event delivered twice is a no-op', async () => {
    const executions = recordingStarter();
    const first = await handleUploadEvent(fixture('eventbridge-object-created.json'), { executions, logger: silent });
    const second = await handleUploadEvent(fixture('eventbridge-object-created.json'), { executions, logger: silent });
    expect(first.started).toHaveLength(1);
    expect(second).toEqual({ started: [], duplicates: first.started, ignored: 0 });
    expect(executions.requests[0]?.input).toMatchObject({ key: 'my song (1).mp3', execution: first.started[0] });
  });

  it('deduplicates two events with the same key and sequencer but different event ids', async () => {
    const executions = recordingStarter();
    const other = fixture('eventbridge-object-created.json') as { id: string };
    other.id = 'another-event-id';
    await handleUploadEvent(fixture('eventbridge-object-created.json'), { executions, logger: silent });
    const again = await handleUploadEvent(other, { executions, logger: silent });
    expect(again.started).toEqual([]);
    expect(again.duplicates).toHaveLength(1);
  });

  it('starts nothing for deletes, tagging and ACL events', async () => {
    const executions = recordingStarter();
    for (const name of [
      'eventbridge-object-deleted.json',
      's3-notification-tagging.json',
      's3-notification-acl.json',
    ]) {
      await handleUploadEvent(fixture(name), { executions, logger: silent });
    }
    expect(executions.requests).toEqual([]);
  });

  it('tries every upload of a batch, then rethrows a start failure so the batch is redelivered', async () => {
    const executions = recordingStarter();
    const failing: Pick<ExecutionStarter, 'start'> = {
      async start(request) {
        if (request.input.key === 'a+b.mp3')
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return executions.start(request);
      },
    };
    await expect(
      handleUploadEvent(fixture('s3-notification-batch.json'), { executions: failing, logger: silent }),
    ).rejects.toThrow('Rate exceeded');
    expect(executions.requests.map((request) => request.input.key)).toEqual(['long talk.wav']);
  });
});
