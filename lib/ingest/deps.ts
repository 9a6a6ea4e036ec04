import { SFNClient } from '@aws-sdk/client-sfn';
import { ConfigError } from '../errors.js';
import type { Deps } from '../runtime.js';
import { createTranscriber } from '../transcribe/transcriber.js';
import type { ExecutionStarter, Transcriber } from './ports.js';
import { SfnExecutionStarter } from './sfn.js';

/** The transcriber of these deps, created from config on first use (local mode installs its own). */
export function transcriberOf(deps: Deps): Transcriber {
  deps.transcriber ??= createTranscriber(deps.config, deps.s3);
  return deps.transcriber;
}

/** The execution starter of these deps: Step Functions on STATE_MACHINE_ARN unless one is installed. */
export function executionsOf(deps: Deps): ExecutionStarter {
  if (!deps.executions) {
    const arn = deps.config.STATE_MACHINE_ARN;
    if (!arn) {
      throw new ConfigError(
        'STATE_MACHINE_ARN: not set. Set it to the ingest state machine ARN (the CDK stack does), or run locally with `npm start`.',
      );
    }
    deps.executions = new SfnExecutionStarter(arn, new SFNClient({ region: deps.config.AWS_REGION }));
  }
  return deps.executions;
}
