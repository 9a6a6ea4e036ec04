import { ConfigError } from '../errors.js';
import { awsObservability } from '../observability.js';
import type { Adapters } from '../runtime.js';
import { s3Of } from './ports.js';

/**
 * The AWS entry point of the composition root: what a Lambda function runs on. Each adapter and
 * its SDK are imported when the port is first used (the bundler keeps them as lazily evaluated
 * parts of the one file), and every SDK client goes through `tracer.captureAWSv3Client`, so X-Ray
 * shows each DynamoDB, S3, Transcribe and Step Functions call (a no-op outside Lambda).
 */
export const awsAdapters: Adapters = {
  observability: (config, logger) => {
    const made = awsObservability(config);
    return logger ? { ...made, logger } : made;
  },

  async store(deps) {
    const table = deps.config.DYNAMODB_TABLE;
    if (!table) {
      throw new ConfigError(
        'DYNAMODB_TABLE: not set. Set it to the table name (the CDK stack does), or run locally with `npm start` (SQLite).',
      );
    }
    const { openDynamoStore } = await import('../store/dynamo.js');
    return openDynamoStore(table, deps.config, (client) => deps.tracer.captureAWSv3Client(client));
  },

  async s3(deps) {
    const { createS3Client } = await import('../s3-client.js');
    return deps.tracer.captureAWSv3Client(createS3Client(deps.config));
  },

  async transcriber(deps) {
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
  },

  async executions(deps) {
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
  },
};
