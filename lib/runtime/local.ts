import { type Config, loadConfig } from '../config.js';
import { localObservability } from '../observability.js';
import { type Adapters, createDeps, type Deps } from '../runtime.js';
import { openConfiguredStore } from '../store/index.js';
import { createLocalTranscriber } from '../transcribe/transcriber.js';
import { awsAdapters } from './aws.js';
import { s3Of } from './ports.js';

/**
 * The local entry point of the composition root, for lib/local/* (npm start, invoke, the tests
 * of local mode): the store openStore's rule picks (SQLite, or DynamoDB when DYNAMODB_TABLE is
 * set), the S3 client on S3_ENDPOINT (the local endpoint), pocketsphinx unless TRANSCRIBER=aws,
 * espeak-ng unless SYNTHESIZER=aws, tracing off and metrics as debug lines. Local mode installs its in-process runner of the ASL
 * as `executions`; without it, executions start on STATE_MACHINE_ARN as in AWS.
 */
const localAdapters: Adapters = {
  observability: (config, logger) => localObservability(config, logger),
  store: async (deps) => openConfiguredStore(deps.config),
  s3: awsAdapters.s3,
  transcriber: async (deps) =>
    deps.config.TRANSCRIBER === 'aws'
      ? awsAdapters.transcriber(deps)
      : createLocalTranscriber(deps.config, await s3Of(deps)),
  executions: awsAdapters.executions,
  synthesizer: async (deps) =>
    deps.config.SYNTHESIZER === 'aws'
      ? awsAdapters.synthesizer(deps)
      : (await import('../synthesize/synthesizer.js')).createSynthesizer(deps.config),
};

/** createDeps with the local adapters. */
export function createLocalDeps(config: Config = loadConfig(), installed: Partial<Deps> = {}): Deps {
  return createDeps(config, installed, localAdapters);
}
