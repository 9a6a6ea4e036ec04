import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  BadRequestException,
  ConflictException,
  GetTranscriptionJobCommand,
  LimitExceededException,
  StartTranscriptionJobCommand,
  TranscribeClient,
  type TranscriptionJobStatus,
} from '@aws-sdk/client-transcribe';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TranscribeThrottledError } from '../../../lib/ingest/errors.js';
import { AwsTranscriber, parseTranscriptJson, transcribeOutputKey } from '../../../lib/transcribe/aws.js';
import { type Harness, startHarness } from '../../contract/pipeline-harness.js';
import { transcriptionJob } from '../../helpers/transcribe.js';

const job = transcriptionJob;

/** The output document Transcribe writes (abridged from the documented sample). */
const OUTPUT = {
  jobName: 'my-song-1-mp3-8e05529e0673',
  accountId: '111122223333',
  results: {
    transcripts: [{ transcript: 'Welcome to Amazon Transcribe.' }],
    items: [
      {
        start_time: '0.64',
        end_time: '1.09',
        alternatives: [{ confidence: '1.0', content: 'Welcome' }],
        type: 'pronunciation',
      },
    ],
  },
  status: 'COMPLETED',
};

const transcribe = mockClient(TranscribeClient);
let h: Harness;
let adapter: AwsTranscriber;

beforeAll(async () => {
  h = await startHarness();
  adapter = new AwsTranscriber({
    transcribe: new TranscribeClient({ region: 'us-east-1' }),
    s3: h.s3,
    outputBucket: h.bucket,
    languageCode: 'en-US',
  });
});
afterAll(async () => {
  transcribe.restore();
  await h?.close();
});
beforeEach(() => {
  transcribe.reset();
});

const request = { jobName: 'my-song-1-mp3-8e05529e0673', bucket: 'audio', key: 'my song (1).mp3', mediaFormat: 'mp3' };

describe('AwsTranscriber.start', () => {
  it('sends StartTranscriptionJob with the media URI and our output bucket/key', async () => {
    transcribe.on(StartTranscriptionJobCommand).resolves(job('IN_PROGRESS'));
    expect(await adapter.start(request)).toEqual({ jobName: request.jobName, state: 'IN_PROGRESS' });
    expect(transcribe.commandCalls(StartTranscriptionJobCommand)[0]?.args[0].input).toEqual({
      TranscriptionJobName: request.jobName,
      Media: { MediaFileUri: 's3://audio/my song (1).mp3' },
      MediaFormat: 'mp3',
      LanguageCode: 'en-US',
      OutputBucketName: 'audio',
      OutputKey: `transcripts/${request.jobName}.json`,
    });
  });

  it('adopts an existing job on ConflictException', async () => {
    transcribe.on(StartTranscriptionJobCommand).rejects(
      new ConflictException({
        message: 'The requested job name already exists. Use a different job name.',
        $metadata: {},
      }),
    );
    transcribe.on(GetTranscriptionJobCommand).resolves(job('COMPLETED'));
    expect(await adapter.start(request)).toEqual({ jobName: request.jobName, state: 'COMPLETED' });
  });

  it('turns LimitExceededException into the retryable TranscribeThrottledError', async () => {
    transcribe.on(StartTranscriptionJobCommand).rejects(
      new LimitExceededException({
        message: 'You have exceeded your service limit.',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await adapter.start(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TranscribeThrottledError);
    expect((error as Error).name).toBe('TranscribeThrottledError');
  });

  it('lets a bad request fail as itself (not retried)', async () => {
    transcribe
      .on(StartTranscriptionJobCommand)
      .rejects(
        new BadRequestException({ message: 'The media format is invalid.', $metadata: { httpStatusCode: 400 } }),
      );
    await expect(adapter.start(request)).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});

describe('AwsTranscriber.check', () => {
  it.each<[TranscriptionJobStatus, string]>([
    ['QUEUED', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'IN_PROGRESS'],
    ['COMPLETED', 'COMPLETED'],
  ])('maps %s to %s', async (status, state) => {
    transcribe.on(GetTranscriptionJobCommand).resolves(job(status));
    expect(await adapter.check(request.jobName)).toEqual({ jobName: request.jobName, state });
  });

  it('reports FAILED with the FailureReason', async () => {
    transcribe
      .on(GetTranscriptionJobCommand)
      .resolves(
        job('FAILED', { FailureReason: 'The media format provided does not match the detected media format.' }),
      );
    expect(await adapter.check(request.jobName)).toEqual({
      jobName: request.jobName,
      state: 'FAILED',
      failureReason: 'The media format provided does not match the detected media format.',
    });
  });

  it('retries throttling on GetTranscriptionJob', async () => {
    transcribe
      .on(GetTranscriptionJobCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
      );
    await expect(adapter.check(request.jobName)).rejects.toBeInstanceOf(TranscribeThrottledError);
  });
});

describe('AwsTranscriber.fetchTranscript', () => {
  it('reads results.transcripts[0].transcript from the output JSON in S3', async () => {
    await h.s3.send(
      new PutObjectCommand({
        Bucket: h.bucket,
        Key: transcribeOutputKey(request.jobName),
        Body: JSON.stringify(OUTPUT),
      }),
    );
    expect(await adapter.fetchTranscript(request.jobName)).toBe('Welcome to Amazon Transcribe.');
  });

  it('names the object when the output is not a transcript', () => {
    expect(() => parseTranscriptJson('{"results":{}}', 's3://audio/x.json')).toThrow(
      /s3:\/\/audio\/x\.json has no results\.transcripts/,
    );
    expect(() => parseTranscriptJson('<html>', 's3://audio/x.json')).toThrow(/not JSON/);
  });
});

describe('AwsTranscriber.discardTranscript', () => {
  it('deletes the job’s output JSON from the bucket and nothing else; a second discard is no error', async () => {
    const output = transcribeOutputKey(request.jobName);
    const other = transcribeOutputKey('another-job');
    for (const key of [output, other]) {
      await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: key, Body: JSON.stringify(OUTPUT) }));
    }
    await adapter.discardTranscript(request.jobName);
    await expect(h.s3.send(new HeadObjectCommand({ Bucket: h.bucket, Key: output }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect((await h.s3.send(new HeadObjectCommand({ Bucket: h.bucket, Key: other }))).ContentLength).toBeGreaterThan(0);
    await expect(adapter.discardTranscript(request.jobName)).resolves.toBeUndefined();
  });
});
