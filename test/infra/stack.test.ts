import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_FUNCTION_TIMEOUT_SECONDS } from '../../lib/ingest/timeouts.js';
import { TABLE_DEFINITION } from '../../lib/model/table.js';
import { aslPlaceholders } from '../../stacks/constructs/asl.js';
import { ASL_PATH } from '../../stacks/constructs/ingest-pipeline.js';
import { removeAssemblies, resourcesOf, type Synthesized, synthesize } from './synth.js';

afterAll(removeAssemblies);

let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthesize('dev');
  prod = synthesize('prod', { context: { allowedOrigins: 'https://audio.example.org' } });
});

const logicalIdOf = (s: Synthesized, type: string, match: (props: Record<string, unknown>) => boolean) => {
  const found = resourcesOf(s.json, type).filter(([, r]) => match(r.Properties ?? {}));
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]![0];
};

describe('table', () => {
  it('has the keys, GSIs and billing of TABLE_DEFINITION', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'audio-ingest-dev',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((gsi) =>
        Match.objectLike({
          IndexName: gsi.indexName,
          KeySchema: [
            { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection:
            typeof gsi.projection === 'string'
              ? { ProjectionType: gsi.projection }
              : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gsi.projection.include] },
        }),
      ),
    });
  });

  it('lets DynamoDB expire ended failed-login windows through the TTL attribute of TABLE_DEFINITION', () => {
    expect(TABLE_DEFINITION.timeToLiveAttribute).toBe('expires_at');
    for (const s of [dev, prod]) {
      s.template.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
      });
    }
  });

  it('has point-in-time recovery and RETAIN only in prod', () => {
    const tables = (s: Synthesized) => resourcesOf(s.json, 'AWS::DynamoDB::Table').map(([, table]) => table);
    expect(tables(dev)).toHaveLength(1);
    expect(tables(prod)).toHaveLength(1);
    const [devTable, prodTable] = [tables(dev)[0]!, tables(prod)[0]!];
    expect(devTable.DeletionPolicy).toBe('Delete');
    expect(prodTable.DeletionPolicy).toBe('Retain');
    expect(devTable.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
    expect(prodTable.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(prodTable.Properties?.TableName).toBe('audio-ingest-prod');
  });
});

describe('audio bucket', () => {
  const audioBucket = (s: Synthesized) =>
    resourcesOf(s.json, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.NotificationConfiguration)!;

  it('sends EventBridge notifications, blocks public access, encrypts and logs access', () => {
    const [, bucket] = audioBucket(dev);
    expect(bucket.Properties).toMatchObject({
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^StorageAccessLogs/) } },
    });
  });

  it('enforces TLS on both buckets', () => {
    const policies = resourcesOf(dev.json, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('allows presigned browser PUTs from the configured origins only', () => {
    expect(audioBucket(dev)[1].Properties?.CorsConfiguration).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedMethods: ['PUT'],
          AllowedOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
        }),
      ],
    });
    expect(audioBucket(prod)[1].Properties?.CorsConfiguration).toEqual({
      CorsRules: [expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: ['https://audio.example.org'] })],
    });
  });

  it('never expires objects (a transcript lives as long as its row) and is retained in prod', () => {
    for (const s of [dev, prod]) {
      const lifecycle = audioBucket(s)[1].Properties?.LifecycleConfiguration as { Rules: unknown[] } | undefined;
      expect(lifecycle?.Rules).toEqual([
        {
          Id: 'abort-incomplete-uploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
          Status: 'Enabled',
        },
      ]);
    }
    expect(audioBucket(prod)[1].DeletionPolicy).toBe('Retain');
    expect(audioBucket(dev)[1].DeletionPolicy).toBe('Delete');
  });
});

describe('trigger', () => {
  const functionId = (name: string) =>
    logicalIdOf(dev, 'AWS::Lambda::Function', (p) => p.FunctionName === `audio-ingest-dev-${name}`);
  const queueId = () =>
    logicalIdOf(dev, 'AWS::SQS::Queue', (p) => p.QueueName === 'audio-ingest-dev-upload-dead-letters');
  const bucketId = () =>
    resourcesOf(dev.json, 'AWS::S3::Bucket').find(([, r]) => r.Properties?.NotificationConfiguration)![0];

  /** A rule with this pattern targets the function with the DLQ and retries; its own failures land in the DLQ too. */
  function expectRule(pattern: Record<string, unknown>, name: string) {
    const fn = functionId(name);
    const queue = queueId();
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: pattern,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 8 },
        }),
      ],
    });
    dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  }

  it.each([
    ['Object Created', 'on-upload'],
    ['Object Deleted', 'on-delete'],
  ])('routes %s of the audio bucket (not transcripts/) to %s with a DLQ and retries', (detailType, name) => {
    expectRule(
      {
        source: ['aws.s3'],
        'detail-type': [detailType],
        detail: {
          bucket: { name: [{ Ref: bucketId() }] },
          object: { key: [{ 'anything-but': { prefix: 'transcripts/' } }] },
        },
      },
      name,
    );
  });

  it("routes this state machine's FAILED, TIMED_OUT and ABORTED executions to on-execution-failed", () => {
    const stateMachine = resourcesOf(dev.json, 'AWS::StepFunctions::StateMachine')[0]![0];
    expectRule(
      {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: stateMachine }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      'on-execution-failed',
    );
  });

  it('gives each Task function the shared timeout, below every Task TimeoutSeconds of the ASL', () => {
    const definition = JSON.parse(readFileSync(ASL_PATH, 'utf8')) as {
      States: Record<string, { Type: string; TimeoutSeconds?: number }>;
    };
    const taskTimeouts = Object.values(definition.States)
      .filter((state) => state.Type === 'Task')
      .map((state) => state.TimeoutSeconds ?? 0);
    for (const name of [
      'register-upload',
      'start-transcription',
      'check-transcription',
      'complete-transcription',
      'mark-failed',
    ]) {
      const [, fn] = resourcesOf(dev.json, 'AWS::Lambda::Function').find(
        ([, r]) => r.Properties?.FunctionName === `audio-ingest-dev-${name}`,
      )!;
      expect(fn.Properties?.Timeout, name).toBe(TASK_FUNCTION_TIMEOUT_SECONDS);
      for (const timeout of taskTimeouts) expect(timeout).toBeGreaterThan(TASK_FUNCTION_TIMEOUT_SECONDS);
    }
  });

  it('encrypts the DLQ and refuses non-TLS access to it', () => {
    dev.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const policy = resourcesOf(dev.json, 'AWS::SQS::QueuePolicy').map(([, r]) => JSON.stringify(r.Properties));
    expect(policy.some((p) => p.includes('"aws:SecureTransport":"false"') && p.includes('"Effect":"Deny"'))).toBe(true);
    expect(policy.some((p) => p.includes('events.amazonaws.com'))).toBe(true);
  });
});

describe('state machine', () => {
  const stateMachine = (s: Synthesized) => resourcesOf(s.json, 'AWS::StepFunctions::StateMachine')[0]![1].Properties!;

  it('substitutes every $-brace placeholder of the ASL file with the matching Task function', () => {
    const placeholders = aslPlaceholders(readFileSync(ASL_PATH, 'utf8'));
    expect(placeholders.length).toBeGreaterThan(0);
    const substitutions = stateMachine(dev).DefinitionSubstitutions as Record<
      string,
      { 'Fn::GetAtt': [string, string] }
    >;
    expect(Object.keys(substitutions).sort()).toEqual([...placeholders].sort());
    for (const [placeholder, value] of Object.entries(substitutions)) {
      const fn = dev.json.Resources[value['Fn::GetAtt'][0]]!;
      const task = placeholder
        .replace(/FunctionArn$/, '')
        .replace(/[A-Z]/g, (c, i) => `${i ? '-' : ''}${c.toLowerCase()}`);
      expect(fn.Properties?.FunctionName).toBe(`audio-ingest-dev-${task}`);
    }
  });

  it('deploys the ASL file itself (an S3 asset, byte for byte), with its own 6-hour timeout', () => {
    const properties = stateMachine(dev);
    expect(properties.DefinitionString).toBeUndefined();
    const { Key } = properties.DefinitionS3Location as { Key: string };
    // The cloud assembly's asset manifest says which staged file is uploaded under that key.
    const manifest = JSON.parse(readFileSync(join(dev.outdir, `${dev.stack.stackName}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
    };
    const assets = Object.values(manifest.files).filter((asset) =>
      Object.values(asset.destinations).some((destination) => destination.objectKey === Key),
    );
    expect(assets).toHaveLength(1);
    const deployed = readFileSync(join(dev.outdir, assets[0]!.source.path), 'utf8');
    expect(deployed).toBe(readFileSync(ASL_PATH, 'utf8'));
    expect(JSON.parse(deployed).TimeoutSeconds).toBe(6 * 3600);
  });

  it('is Standard, logs ALL with execution data, and is traced', () => {
    expect(stateMachine(prod)).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/states/audio-ingest-prod-ingest-audio',
      RetentionInDays: 90,
    });
  });
});

describe('functions', () => {
  const functions = (s: Synthesized) => resourcesOf(s.json, 'AWS::Lambda::Function').map(([, r]) => r.Properties!);

  it('all run Node 24 on arm64 with tracing, source maps and their own log group', () => {
    const all = functions(dev);
    expect(all).toHaveLength(12);
    for (const fn of all) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps', APP_ENV: 'aws' }) },
      });
    }
    dev.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 14 }, 12 + 2);
  });

  it('never puts a secret in an environment variable, only the ARNs', () => {
    for (const fn of [...functions(dev), ...functions(prod)]) {
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      // The extension's own settings (PARAMETERS_SECRETS_EXTENSION_*, SECRETS_MANAGER_TTL) are not secrets.
      const secretish = Object.keys(variables).filter(
        (name) => /SECRET|PASSWORD|KEY/.test(name) && !/^(PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_)/.test(name),
      );
      for (const name of secretish) {
        expect(name).toMatch(/_ARN$/);
        expect(variables[name]).toEqual({ Ref: expect.stringMatching(/^(JwtSigningKey|AdminPassword)/) });
      }
    }
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'audio-ingest-dev/jwt-signing-key',
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'audio-ingest-dev/admin-password' });
    // Functions with a secret ARN read it through the Parameters and Secrets extension layer; no other has it.
    for (const fn of functions(dev)) {
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      const readsSecrets = Object.keys(variables).some((name) => name.endsWith('_SECRET_ARN'));
      expect(fn.Layers !== undefined, String(fn.FunctionName)).toBe(readsSecrets);
      if (readsSecrets) expect(variables.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).toBe('2773');
    }
  });
});

describe('HTTP API', () => {
  const SPEC_ROUTES = [
    'POST /api/user/login',
    'POST /api/user/logout',
    'GET /api/user/session',
    'GET /api/admin/users',
    'POST /api/admin/users',
    'PATCH /api/admin/users/{user_id}',
    'DELETE /api/admin/users/{user_id}',
    'GET /api/audio/list',
    'GET /api/audio/search',
    'GET /api/audio/{filename}',
    'GET /api/audio/{filename}/transcript',
    'DELETE /api/audio/{filename}/transcript',
    'POST /api/audio/{filename}/transcribe',
    'POST /api/audio/upload-url',
    'GET /api/health',
    'GET /api/openapi.json',
  ];

  it('has every route of the spec, each integrated with its function', () => {
    const routes = resourcesOf(dev.json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!.RouteKey as string);
    expect(routes.sort()).toEqual(expect.arrayContaining(SPEC_ROUTES));
    const integrations = resourcesOf(dev.json, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(4);
  });

  it('logs access, throttles by default and answers CORS preflights', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] } },
    });
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
        AllowCredentials: true,
      }),
    });
  });
});

describe('outputs', () => {
  it('names the table, bucket, API URL, state machine and its executions in the console', () => {
    const outputs = prod.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['TableName', 'AudioBucketName', 'ApiUrl', 'StateMachineArn', 'ExecutionsConsoleUrl']),
    );
    expect(JSON.stringify(outputs.ExecutionsConsoleUrl!.Value)).toContain('console.aws.amazon.com/states/home');
  });
});
