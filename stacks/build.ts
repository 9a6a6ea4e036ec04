import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IngestStack } from './ingest-stack.js';
import { environmentSettings } from './settings.js';

/** Feature flags the stack relies on; set here so tests and the CLI synthesize the same thing. */
export const FEATURE_FLAGS = {
  // Grant S3 log delivery through the log bucket's policy, not ACLs (ACLs are disabled on it).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export interface BuiltApp {
  app: App;
  stack: IngestStack;
}

/**
 * Builds the app for the `environment` context value (`dev` when absent), with the cdk-nag
 * AwsSolutions checks registered: synth fails on any finding not acknowledged in stacks/nag.ts.
 */
export function buildApp(props: AppProps = {}): BuiltApp {
  const app = new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
  const settings = environmentSettings(app.node.tryGetContext('environment'), app.node.tryGetContext('allowedOrigins'));
  const stack = new IngestStack(app, settings.prefix, {
    settings,
    description: `audio-ingest (${settings.name}): S3 uploads → Step Functions → DynamoDB, HTTP API`,
    tags: { project: 'audio-ingest', environment: settings.name },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
