import { ConfigError } from '../errors.js';
import { awsObservability } from '../observability.js';
import type { Adapters } from '../runtime.js';
import { s3Of } from './ports.js';

/**
 * The AWS entry point of the composition root: what a Lambda function runs on. Each adapter and
 * its SDK are imported when the port is first used (the bundler keeps them as lazily evaluated
 * parts of the one file), and every SDK client goes through `tracer.captureAWSv3Client`, so X-Ray
 * shows each DynamoDB, S3, Transcribe, Step Functions and Polly call (a no-op outside Lambda). A
 * function names the adapters it uses (./lambda.ts `functionDeps`), so its bundle holds only
 * those SDKs.
 */

/** Logger, tracer (on only inside Lambda) and EMF metrics. */
export const observability: Adapters['observability'] = (config, logger) => awsObservability(config, logger);

/** The store: ElectroDB on the DYNAMODB_TABLE table. */
export const dynamoStore: Adapters['store'] = async (deps) => {
  const table = deps.config.DYNAMODB_TABLE;
  if (!table) {
    throw new ConfigError(
      'DYNAMODB_TABLE: not set. Set it to the table name (the CDK stack does), or run locally with `npm start` (SQLite).',
    );
  }
  const { openDynamoStore } = await import('../store/dynamo.js');
  return openDynamoStore(table, deps.config, (client) => deps.tracer.captureAWSv3Client(client));
};

/** The S3 client (S3_ENDPOINT honoured). */
export const s3Client: Adapters['s3'] = async (deps) => {
  const { createS3Client } = await import('../s3-client.js');
  return deps.tracer.captureAWSv3Client(createS3Client(deps.config));
};

/** Amazon Transcribe, its output read back from the audio bucket (needs the s3 port too). */
export const transcribeTranscriber: Adapters['transcriber'] = async (deps) => {
  const [{ TranscribeClient }, { AwsTranscriber }, s3] = await Promise.all([
    import('@aws-sdk/client-transcribe'),
    import('../transcribe/aws.js'),
    s3Of(deps),
  ]);
  return new AwsTranscriber({
    transcribe: deps.tracer.captureAWSv3Client(new TranscribeClient({ region: deps.config.AWS_REGION })),
    s3,
    outputBucket: deps.config.AUDIO_BUCKET,
    languageCode: deps.config.TRANSCRIBE_LANGUAGE_CODE,
  });
};

/** Step Functions StartExecution on STATE_MACHINE_ARN. */
export const sfnExecutions: Adapters['executions'] = async (deps) => {
  const arn = deps.config.STATE_MACHINE_ARN;
  if (!arn) {
    throw new ConfigError(
      'STATE_MACHINE_ARN: not set. Set it to the ingest state machine ARN (the CDK stack does), or run locally with `npm start`.',
    );
  }
  const [{ SFNClient }, { SfnExecutionStarter }] = await Promise.all([
    import('@aws-sdk/client-sfn'),
    import('../ingest/sfn.js'),
  ]);
  return new SfnExecutionStarter(
    arn,
    deps.tracer.captureAWSv3Client(new SFNClient({ region: deps.config.AWS_REGION })),
  );
};

/** Amazon Polly, the voices of POLLY_ENGINE (TTS_VOICE when a request names none). */
export const pollySynthesizer: Adapters['synthesizer'] = async (deps) => {
  const [{ PollyClient }, { PollySynthesizer }] = await Promise.all([
    import('@aws-sdk/client-polly'),
    import('../synthesize/polly.js'),
  ]);
  return new PollySynthesizer({
    polly: deps.tracer.captureAWSv3Client(new PollyClient({ region: deps.config.AWS_REGION })),
    engine: deps.config.POLLY_ENGINE,
    ...(deps.config.TTS_VOICE ? { defaultVoice: deps.config.TTS_VOICE } : {}),
  });
};

/** Every AWS adapter: createDeps' default (tests, tools, local mode's fallbacks). */
export const awsAdapters: Adapters = {
  observability,
  store: dynamoStore,
  s3: s3Client,
  transcriber: transcribeTranscriber,
  executions: sfnExecutions,
  synthesizer: pollySynthesizer,
};
