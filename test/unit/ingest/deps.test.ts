import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetTranscriptionJobCommand, TranscribeClient } from '@aws-sdk/client-transcribe';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { executionsOf, transcriberOf } from '../../../lib/ingest/deps.js';
import { createDeps } from '../../../lib/runtime.js';
import { lazyStore } from '../../../lib/store/lazy.js';

const sfn = mockClient(SFNClient);
const transcribe = mockClient(TranscribeClient);
afterAll(() => {
  sfn.restore();
  transcribe.restore();
});
beforeEach(() => {
  sfn.reset();
  transcribe.reset();
});

const ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:ingest-audio';
const unusedStore = lazyStore(() => {
  throw new Error('these ports never touch the store');
});
const depsFor = (env: NodeJS.ProcessEnv) =>
  createDeps(loadConfig({ LOG_LEVEL: 'SILENT', ...env }), { store: unusedStore });

describe('ingest ports created from config', () => {
  it('starts executions on STATE_MACHINE_ARN through Step Functions, created once', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:run-1`, startDate: new Date() });
    const deps = depsFor({ STATE_MACHINE_ARN: ARN });
    const starter = executionsOf(deps);
    expect(executionsOf(deps)).toBe(starter);
    const input = { bucket: 'audio', key: 'a.mp3', sequencer: null, etag: 'e', size: 1, execution: 'run-1' };
    expect(await starter.start({ name: 'run-1', input })).toEqual({ started: true, executionArn: `${ARN}:run-1` });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({
      stateMachineArn: ARN,
      name: 'run-1',
    });
  });

  it('asks for STATE_MACHINE_ARN when it is not set', () => {
    expect(() => executionsOf(depsFor({}))).toThrow(/STATE_MACHINE_ARN: not set/);
  });

  it('checks jobs through AWS Transcribe when TRANSCRIBER=aws', async () => {
    transcribe.on(GetTranscriptionJobCommand).resolves({
      TranscriptionJob: { TranscriptionJobName: 'job-1', TranscriptionJobStatus: 'IN_PROGRESS' },
    });
    const transcriber = transcriberOf(depsFor({ TRANSCRIBER: 'aws' }));
    expect(await transcriber.check('job-1')).toMatchObject({ jobName: 'job-1', state: 'IN_PROGRESS' });
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)[0]?.args[0].input).toEqual({
      TranscriptionJobName: 'job-1',
    });
  });

  it('keeps an installed transcriber', () => {
    const deps = depsFor({});
    const installed = { start: async () => ({ jobName: 'x', state: 'COMPLETED' as const }) } as never;
    deps.transcriber = installed;
    expect(transcriberOf(deps)).toBe(installed);
  });
});
