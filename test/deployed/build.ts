import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../../stacks/build.js';
import { AppFunction, BUNDLE_METAFILE_CONTEXT } from '../../stacks/constructs/app-function.js';

/**
 * Global setup of the deployed-artifact tests: ONE real synth of the stack with bundling (the
 * local esbuild through CDK's NodejsFunction, exactly what `npm run synth` and a deploy do) per
 * test run. Every test file of the `deployed` project receives the asset directories through
 * `inject('deployedFunctions')` instead of building again.
 */

export interface DeployedFunction {
  /** The handler file, e.g. `functions/ingest/register-upload.ts`. */
  entry: string;
  /** The function under functions/, e.g. `ingest/register-upload`. */
  name: string;
  /** The deployed name, e.g. `audio-ingest-dev-register-upload`. */
  functionName: string;
  /** The asset directory CDK zips: index.mjs, its source map, esbuild's metafile, native packages. */
  dir: string;
  /** The function's environment from the template; tokens (ARNs, names) become placeholder strings. */
  environment: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    deployedFunctions: DeployedFunction[];
  }
}

interface TemplateFunction {
  Type: string;
  Properties: { FunctionName: string; Code: { S3Key: string }; Environment?: { Variables: Record<string, unknown> } };
}

/** Tokens have no value at synth time; any string will do for a configuration that is never called. */
function plainEnvironment(variables: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : `synth-token-${key.toLowerCase()}`,
    ]),
  );
}

export default function setup(project: TestProject): () => void {
  const outdir = mkdtempSync(join(tmpdir(), 'deployed-bundles-'));
  const { app, stack } = buildApp({
    outdir,
    context: { environment: 'dev', [BUNDLE_METAFILE_CONTEXT]: true },
  });
  const resources = app.synth().getStackByName(stack.stackName).template.Resources as Record<string, TemplateFunction>;
  const functions = stack.node
    .findAll()
    .filter((construct): construct is AppFunction => construct instanceof AppFunction)
    .map((fn): DeployedFunction => {
      const logicalId = stack.resolve((fn.fn.node.defaultChild as CfnElement).logicalId) as string;
      const resource = resources[logicalId];
      if (!resource) throw new Error(`No template resource ${logicalId} for ${fn.entry}`);
      return {
        entry: fn.entry,
        name: fn.entry.replace(/^functions\//, '').replace(/\.ts$/, ''),
        functionName: resource.Properties.FunctionName,
        dir: join(outdir, `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`),
        environment: plainEnvironment(resource.Properties.Environment?.Variables),
      };
    });
  project.provide('deployedFunctions', functions);
  return () => rmSync(outdir, { recursive: true, force: true });
}
