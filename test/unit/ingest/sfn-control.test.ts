import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { executionName, mayNameExecutionOf } from '../../../lib/ingest/keys.js';
import { SfnExecutionStarter } from '../../../lib/ingest/sfn.js';

/** A fixture of test/fixtures/sfn/ (see its README for the documented shapes), timestamps as the SDK gives them. */
function fixture<T>(name: string): T {
  const json = JSON.parse(readFileSync(`test/fixtures/sfn/${name}`, 'utf8'), (key, value) =>
    key.endsWith('Date') && typeof value === 'number' ? new Date(value * 1000) : value,
  );
  return json as T;
}

const sfn = mockClient(SFNClient);
afterAll(() => sfn.restore());
beforeEach(() => sfn.reset());

const machine = 'arn:aws:states:us-east-1:111122223333:stateMachine:audio-ingest-dev-ingest-audio';
const execution = (name: string) =>
  `arn:aws:states:us-east-1:111122223333:execution:audio-ingest-dev-ingest-audio:${name}`;
const starter = () => new SfnExecutionStarter(machine, new SFNClient({ region: 'us-east-1' }));
const upload = { bucket: 'audio-ingest-dev-audio', key: 'my song (1).mp3' };

describe('SfnExecutionStarter: finding and stopping the runs of one file', () => {
  it('lists RUNNING executions on every page and describes only the ones whose name fits the key', async () => {
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce(fixture('list-executions-running.json'))
      .resolvesOnce(fixture('list-executions-running-page-2.json'));
    const running = fixture<{ input: string }>('describe-execution-running.json');
    sfn
      .on(DescribeExecutionCommand, { executionArn: execution('my-song-1-mp3-5c321c2ff382') })
      .resolves(running)
      .on(DescribeExecutionCommand, { executionArn: execution('my-song-1-mp3-rerun-mjx2k1-9f8e7d6c5b4a') })
      // A re-run's input names the key as the API gave it (no eventKey).
      .resolves({ ...running, input: JSON.stringify({ ...JSON.parse(running.input), eventKey: undefined }) });

    expect(await starter().findRunning(upload)).toEqual([
      { name: 'my-song-1-mp3-5c321c2ff382', executionArn: execution('my-song-1-mp3-5c321c2ff382') },
      {
        name: 'my-song-1-mp3-rerun-mjx2k1-9f8e7d6c5b4a',
        executionArn: execution('my-song-1-mp3-rerun-mjx2k1-9f8e7d6c5b4a'),
      },
    ]);
    const lists = sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input);
    expect(lists).toEqual([
      { stateMachineArn: machine, statusFilter: 'RUNNING', maxResults: 1000 },
      {
        stateMachineArn: machine,
        statusFilter: 'RUNNING',
        maxResults: 1000,
        nextToken: 'AAMA-EFRSFNfamily-token-page-2',
      },
    ]);
    // "other-talk-wav-…" cannot be an execution of this key: never described.
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).not.toContain(
      execution('other-talk-wav-0a1b2c3d4e5f'),
    );
  });

  it('leaves out an execution whose name fits but whose input is another bucket or key, or that has stopped', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [fixture<{ executions: object[] }>('list-executions-running.json').executions[0] as never],
    });
    const running = fixture<{ input: string }>('describe-execution-running.json');
    for (const described of [
      { ...running, input: JSON.stringify({ ...JSON.parse(running.input), bucket: 'another-bucket' }) },
      { ...running, input: JSON.stringify({ bucket: upload.bucket, key: 'my-song-1.mp3' }) },
      { ...running, input: 'not json' },
      { ...running, status: 'SUCCEEDED', stopDate: new Date() },
    ]) {
      sfn.on(DescribeExecutionCommand).resolves(described as never);
      expect(await starter().findRunning(upload)).toEqual([]);
    }
  });

  it('stops an execution with StopExecution, the error and cause cut to its documented limits', async () => {
    sfn.on(StopExecutionCommand).resolves(fixture('stop-execution.json'));
    const arn = execution('my-song-1-mp3-5c321c2ff382');
    expect(await starter().stop(arn, { error: 'Cancelled'.repeat(40), cause: 'x'.repeat(40_000) })).toBe(true);
    const input = sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input;
    expect(input.executionArn).toBe(arn);
    expect(input.error).toHaveLength(256);
    expect(input.cause).toHaveLength(32_768);
  });

  it('reports an execution that no longer exists as not stopped, and rethrows anything else', async () => {
    sfn
      .on(StopExecutionCommand)
      .rejectsOnce(
        new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: { httpStatusCode: 400 } }),
      )
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const reason = { error: 'Cancelled', cause: 'by alice' };
    expect(await starter().stop(execution('gone-0123456789ab'), reason)).toBe(false);
    await expect(starter().stop(execution('busy-0123456789ab'), reason)).rejects.toThrow('Rate exceeded');
  });
});

describe('mayNameExecutionOf', () => {
  it.each([
    ['100%25.mp3', '100%.mp3'],
    ['caf%C3%A9.mp3', 'café.mp3'],
    ['my+song.mp3', 'my song.mp3'],
  ])('finds the execution of the stored key %s, named from the event’s decoded reading %s', (stored, decoded) => {
    const name = executionName({ bucket: 'b', key: decoded, sequencer: '0A', etag: 'e' });
    expect(mayNameExecutionOf(name, stored)).toBe(true);
    expect(
      mayNameExecutionOf(executionName({ bucket: 'b', key: decoded, sequencer: '0A', etag: 'e' }, 'rerun-1'), stored),
    ).toBe(true);
  });

  it('holds for every name executionName gives a key, first runs and re-runs alike', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: null }),
        fc.option(fc.nat(), { nil: undefined }),
        (key, etag, rerun) => {
          const name = executionName(
            { bucket: 'b', key, sequencer: '0A', etag },
            rerun === undefined ? undefined : `rerun-${rerun.toString(36)}`,
          );
          expect(mayNameExecutionOf(name, key)).toBe(true);
        },
      ),
    );
  });

  it('rules out names of other keys and names not made by executionName', () => {
    const name = executionName({ bucket: 'b', key: 'talk.wav', sequencer: '0A', etag: 'e' });
    expect(mayNameExecutionOf(name, 'song.mp3')).toBe(false);
    expect(mayNameExecutionOf('talk-wav', 'talk.wav')).toBe(false);
    expect(mayNameExecutionOf('manual-run', 'talk.wav')).toBe(false);
  });
});
