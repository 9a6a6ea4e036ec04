import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetTranscriptionJobCommand, TranscribeClient } from '@aws-sdk/client-transcribe';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { ConfigError } from '../../../lib/errors.js';
import { createLocalDeps } from '../../../lib/runtime/local.js';
import { createDeps } from '../../../lib/runtime.js';
import type { Store } from '../../../lib/store/store.js';
import { PocketsphinxTranscriber } from '../../../lib/transcribe/pocketsphinx.js';
import { transcriptionJob } from '../../helpers/transcribe.js';

/** Step Functions and Transcribe have no local server: their SDK clients are mocked (aws-sdk-client-mock). */
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
const unusedStore = {} as Store;
const depsFor = (env: NodeJS.ProcessEnv) =>
  createDeps(loadConfig({ LOG_LEVEL: 'SILENT', ...env }), { store: unusedStore });
const input = { bucket: 'audio', key: 'a.mp3', sequencer: null, etag: 'e', size: 1, execution: 'run-1' };

describe('ingest ports built by the AWS root', () => {
  it('starts executions on STATE_MACHINE_ARN through Step Functions', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:run-1`, startDate: new Date() });
    const deps = depsFor({ STATE_MACHINE_ARN: ARN });
    expect(await deps.executions.start({ name: 'run-1', input })).toEqual({
      started: true,
      executionArn: `${ARN}:run-1`,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({
      stateMachineArn: ARN,
      name: 'run-1',
    });
  });

  it('asks for STATE_MACHINE_ARN, on the first start, when it is not set', async () => {
    const error = await depsFor({})
      .executions.start({ name: 'run-1', input })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/STATE_MACHINE_ARN: not set/);
  });

  it('checks jobs through AWS Transcribe, whatever TRANSCRIBER says', async () => {
    transcribe
      .on(GetTranscriptionJobCommand)
      .resolves(transcriptionJob('IN_PROGRESS', { TranscriptionJobName: 'job-1' }));
    const { transcriber } = depsFor({ TRANSCRIBER: 'local' });
    expect(await transcriber.check('job-1')).toMatchObject({ jobName: 'job-1', state: 'IN_PROGRESS' });
    expect(transcribe.commandCalls(GetTranscriptionJobCommand)[0]?.args[0].input).toEqual({
      TranscriptionJobName: 'job-1',
    });
  });

  it('keeps a transcriber installed at composition instead of building its own', () => {
    const installed = { start: async () => ({ jobName: 'x', state: 'COMPLETED' as const }) } as never;
    const deps = createDeps(loadConfig({ LOG_LEVEL: 'SILENT' }), { store: unusedStore, transcriber: installed });
    expect(deps.transcriber).toBe(installed);
  });
});

describe('ingest ports built by the local root', () => {
  it('transcribes with pocketsphinx unless TRANSCRIBER=aws', async () => {
    const { port } = await import('../../../lib/runtime/ports.js');
    const local = createLocalDeps(loadConfig({ LOG_LEVEL: 'SILENT', TRANSCRIBER: 'local' }), { store: unusedStore });
    expect(await port(local, 'transcriber')).toBeInstanceOf(PocketsphinxTranscriber);
    transcribe.on(GetTranscriptionJobCommand).resolves(
      transcriptionJob('COMPLETED', {
        TranscriptionJobName: 'job-2',
        Transcript: { TranscriptFileUri: 's3://audio/transcripts/job-2.json' },
      }),
    );
    const aws = createLocalDeps(loadConfig({ LOG_LEVEL: 'SILENT', TRANSCRIBER: 'aws' }), { store: unusedStore });
    expect(await aws.transcriber.check('job-2')).toMatchObject({ state: 'COMPLETED' });
  });
});
