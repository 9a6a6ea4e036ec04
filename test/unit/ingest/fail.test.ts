import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../lib/ingest/fail.js';

const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({
    errorType,
    errorMessage,
    trace: [`${errorType}: ${errorMessage}`, '    at x (/var/task/index.mjs:1:1)'],
  });

describe('describeFailure', () => {
  it('passes a readable media error through without the stack trace', () => {
    const reason = describeFailure({
      Error: 'UnsupportedMediaError',
      Cause: lambdaCause('UnsupportedMediaError', 'The file is empty (0 bytes): upload the audio file again.'),
    });
    expect(reason).toBe('The file is empty (0 bytes): upload the audio file again.');
  });

  it('accepts a plain-text cause (local runner)', () => {
    expect(describeFailure({ Error: 'UndecodableKeyError', Cause: 'undecodable key "a%"' })).toBe(
      'undecodable key "a%"',
    );
  });

  it('explains a failed transcription job with its reason', () => {
    expect(describeFailure({ Error: 'TranscriptionFailed', Cause: 'The media format is invalid.' })).toMatch(
      /^Transcription failed: The media format is invalid\..*re-run/,
    );
  });

  it('says "timed out" for the poll bound', () => {
    expect(
      describeFailure({ Error: 'TranscriptionTimedOut', Cause: 'Transcription timed out: still running.' }),
    ).toMatch(/timed out/);
  });

  it('names exhausted Lambda service errors as temporary, with the error text', () => {
    const reason = describeFailure({
      Error: 'Lambda.ServiceException',
      Cause: lambdaCause('ServiceException', 'Rate exceeded'),
    });
    expect(reason).toMatch(/temporary AWS error.*Lambda\.ServiceException: Rate exceeded.*Re-run/);
  });

  it.each(['TransientIngestError', 'TranscribeThrottledError'])(
    'names exhausted retries of %s as temporary',
    (name) => {
      expect(
        describeFailure({ Error: name, Cause: lambdaCause(name, 'SlowDown: Please reduce your request rate') }),
      ).toMatch(new RegExp(`^A temporary AWS error persisted after several retries \\(${name}: SlowDown`));
    },
  );

  it('names an unknown error and keeps its message, bounded in length', () => {
    const reason = describeFailure({ Error: 'TypeError', Cause: lambdaCause('TypeError', 'x'.repeat(5000)) });
    expect(reason).toMatch(/^The pipeline failed \(TypeError: x+/);
    expect(reason.length).toBeLessThanOrEqual(1000);
  });

  it('copes with no error at all', () => {
    expect(describeFailure(undefined)).toMatch(/UnknownError/);
  });
});
