import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SfnExecutionStarter } from '../../../lib/ingest/sfn.js';

const sfn = mockClient(SFNClient);
afterAll(() => sfn.restore());
beforeEach(() => sfn.reset());

const arn = 'arn:aws:states:us-east-1:111122223333:stateMachine:ingest-audio';
const input = {
  bucket: 'audio',
  key: 'a b.mp3',
  sequencer: '0A1B',
  etag: 'abc',
  size: 10,
  execution: 'a-b-mp3-0123456789ab',
};

describe('SfnExecutionStarter', () => {
  it('starts a named execution with the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${arn}:a-b-mp3-0123456789ab`, startDate: new Date() });
    const starter = new SfnExecutionStarter(arn, new SFNClient({ region: 'us-east-1' }));
    expect(await starter.start({ name: input.execution, input })).toEqual({
      started: true,
      executionArn: `${arn}:a-b-mp3-0123456789ab`,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: arn,
      name: input.execution,
      input: JSON.stringify(input),
    });
  });

  it('answers started: false on ExecutionAlreadyExists (a duplicate delivery)', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const starter = new SfnExecutionStarter(arn, new SFNClient({ region: 'us-east-1' }));
    expect(await starter.start({ name: input.execution, input })).toEqual({ started: false });
  });

  it('rethrows other failures so the event is redelivered', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const starter = new SfnExecutionStarter(arn, new SFNClient({ region: 'us-east-1' }));
    await expect(starter.start({ name: input.execution, input })).rejects.toThrow('Rate exceeded');
  });
});
