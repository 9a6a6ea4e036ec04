import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type ParamsAndSecretsLayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NODE_MAJOR } from '../node-version.js';
import { ARGON2, stageNativePackage } from './native-package.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The esbuild settings of every deployed function, shared with the bundle benchmark so it
 * measures what is deployed. ESM output that still contains CommonJS dependencies (ElectroDB,
 * the argon2 loader) needs `require`, which the banner recreates.
 */
export const BUNDLE = {
  target: `node${NODE_MAJOR}`,
  format: 'esm',
  platform: 'node',
  minify: true,
  // Minifying renames classes; the state machine's Retry/Catch and the API's error mapping match
  // on `error.name`, which is the class name, so names must survive.
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  // Prefer the ESM build of dual packages: smaller and tree-shakeable.
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  /** Native addons are not bundled; their loader and binary are copied next to the bundle. */
  external: [ARGON2.loader],
} as const;

/**
 * Context key that makes every bundle also write esbuild's metafile (`index.meta.json`, the
 * inputs each bundle holds) next to it. The bundle itself is the same; the tests set it to check
 * what each Lambda contains (test/deployed/metafile.test.ts). Deploys leave it off: the zip
 * carries only what runs.
 */
export const BUNDLE_METAFILE_CONTEXT = 'audio-ingest:bundle-metafile';

/** Lambda's runtime: the project's one Node major (test/infra/node-version.test.ts checks they agree). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** Lambda's CPU; the argon2 binary staged into bundles follows it. */
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;

export interface AppFunctionProps {
  /** Path from the project root, e.g. `functions/ingest/register-upload.ts`. */
  entry: string;
  /** Physical name: `<prefix>-<name>`. */
  functionName: string;
  description: string;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  timeout?: Duration;
  memorySize?: number;
  /** The Parameters and Secrets extension layer, for functions that read secrets. */
  paramsAndSecrets?: ParamsAndSecretsLayerVersion;
}

/**
 * One way to build a function: Node 24 on arm64, ESM with the createRequire banner, minified with
 * source maps, X-Ray tracing, its own log group with retention, and its own role that starts with
 * nothing but writing to that log group. Callers add exactly the statements the function uses
 * with `allow()`.
 */
export class AppFunction extends Construct {
  /** The handler file, from the project root (e.g. `functions/on-upload.ts`). */
  readonly entry: string;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Set by useTable: what this function may do with the table. */
  tableAccess?: 'read' | 'readwrite';

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // A role of our own instead of AWSLambdaBasicExecutionRole, whose logs:* reaches every log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionName}: only what this function uses`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      ...(props.paramsAndSecrets ? { paramsAndSecrets: props.paramsAndSecrets } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'audio-ingest',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: BUNDLE.minify,
        keepNames: BUNDLE.keepNames,
        sourceMap: BUNDLE.sourcemap,
        sourcesContent: BUNDLE.sourcesContent,
        mainFields: [...BUNDLE.mainFields],
        banner: BUNDLE.banner,
        metafile: this.node.tryGetContext(BUNDLE_METAFILE_CONTEXT) === true,
        // Bundle the AWS SDK too: the versions the tests ran with, not whichever the runtime ships.
        externalModules: [...BUNDLE.external],
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Only bundles that import argon2 (whatever path leads there) get its loader and binary.
          // Staged here, not earlier, so a synth that skips bundling never needs the binary.
          afterBundling: (_input: string, output: string) => {
            const stage = stageNativePackage(
              PROJECT_ROOT,
              ARGON2,
              LAMBDA_ARCHITECTURE === Architecture.ARM_64 ? 'arm64' : 'x64',
            );
            return [
              `if grep -q '"${ARGON2.loader}"' "${output}/index.mjs"; then cp -R "${join(stage, 'node_modules')}" "${output}/"; fi`,
            ];
          },
        },
      },
    });
  }

  /** Grants item access to the table (and its indexes, which the store queries). */
  useTable(table: ITable, mode: 'read' | 'readwrite'): this {
    if (mode === 'read') table.grantReadData(this.role);
    else table.grantReadWriteData(this.role);
    this.tableAccess = mode;
    return this;
  }

  /** Adds one least-privilege statement to this function's role. */
  allow(actions: string[], resources: string[]): this {
    this.role.addToPolicy(new PolicyStatement({ actions, resources }));
    return this;
  }

  get functionArn(): string {
    return this.fn.functionArn;
  }
}
