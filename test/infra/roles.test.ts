import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAssemblies, resourcesOf, type Synthesized, synthesize } from './synth.js';

afterAll(removeAssemblies);

/** What every function may do: write its own logs and send traces. */
const BASE = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const TABLE_WRITE = [
  ...TABLE_READ,
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const SECRET = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
/** An event-driven function's failures go to the pipeline's dead-letter queue. */
const DEAD_LETTERS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];

/** The least privilege of each function, from what its code calls. */
const EXPECTED: Record<string, string[]> = {
  'on-upload': ['states:StartExecution', ...DEAD_LETTERS],
  'on-delete': [...TABLE_WRITE, 's3:GetObject', 's3:DeleteObject', ...DEAD_LETTERS],
  'on-execution-failed': [...TABLE_WRITE, ...DEAD_LETTERS],
  'register-upload': [...TABLE_WRITE, 's3:GetObject'],
  'start-transcription': [...TABLE_WRITE, 's3:GetObject', 's3:PutObject', 'transcribe:StartTranscriptionJob'],
  'check-transcription': ['transcribe:GetTranscriptionJob'],
  // DeleteObject: Transcribe's output document, once the text is stored.
  'complete-transcription': [
    ...TABLE_WRITE,
    's3:GetObject',
    's3:PutObject',
    's3:DeleteObject',
    'transcribe:GetTranscriptionJob',
  ],
  'mark-failed': [...TABLE_WRITE, 's3:GetObject'],
  'api-user': [...TABLE_WRITE, ...SECRET],
  'api-admin-users': [...TABLE_WRITE, ...SECRET],
  'api-audio': [
    ...TABLE_WRITE,
    ...SECRET,
    's3:PutObject',
    's3:GetObject',
    's3:ListBucket',
    's3:DeleteObject',
    'states:StartExecution',
    'states:ListExecutions',
    'states:DescribeExecution',
    'states:StopExecution',
    'polly:SynthesizeSpeech',
    'polly:DescribeVoices',
  ],
  'api-meta': [],
};

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
}

let dev: Synthesized;
beforeAll(() => {
  dev = synthesize('dev');
});

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement attached to the role of the function named `audio-ingest-dev-<name>`. */
function statementsOf(name: string): Statement[] {
  const [, fn] = resourcesOf(dev.json, 'AWS::Lambda::Function').find(
    ([, r]) => r.Properties?.FunctionName === `audio-ingest-dev-${name}`,
  )!;
  const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = dev.json.Resources[roleId]!;
  expect(role.Properties?.ManagedPolicyArns, `${name} has no managed policy`).toBeUndefined();
  expect(role.Properties?.Policies, `${name} has no inline role policy`).toBeUndefined();
  return resourcesOf(dev.json, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

const idOf = (type: string, predicate: (props: Record<string, unknown>) => boolean) =>
  resourcesOf(dev.json, type).find(([, r]) => predicate(r.Properties ?? {}))![0];

describe('function roles', () => {
  it.each(Object.keys(EXPECTED))('%s gets exactly the actions it uses', (name) => {
    const allowed = statementsOf(name)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => list(s.Action));
    expect(new Set(allowed)).toEqual(new Set([...BASE, ...EXPECTED[name]!]));
  });

  it('no role (functions or state machine) has a wildcard action, and only tracing, log delivery and Polly use Resource *', () => {
    const policies = resourcesOf(dev.json, 'AWS::IAM::Policy');
    expect(policies.length).toBeGreaterThanOrEqual(11);
    for (const [id, policy] of policies) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of list(statement.Action)) expect(action, id).not.toMatch(/\*/);
        if (statement.Resource === '*') {
          for (const action of list(statement.Action)) {
            expect(action, `${id}: ${action} on *`).toMatch(
              /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(Create|Get|Update|Delete)LogDelivery|logs:ListLogDeliveries|logs:PutResourcePolicy|logs:DescribeResourcePolicies|logs:DescribeLogGroups|polly:(SynthesizeSpeech|DescribeVoices))$/,
            );
          }
        }
      }
    }
  });

  it('scopes S3, Step Functions, Transcribe, secrets and logs to this stack’s resources', () => {
    const bucket = idOf('AWS::S3::Bucket', (p) => p.NotificationConfiguration !== undefined);
    const stateMachine = idOf('AWS::StepFunctions::StateMachine', () => true);
    const jwt = idOf('AWS::SecretsManager::Secret', (p) => p.Name === 'audio-ingest-dev/jwt-signing-key');
    const admin = idOf('AWS::SecretsManager::Secret', (p) => p.Name === 'audio-ingest-dev/admin-password');
    const objects = (suffix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, suffix]] });

    for (const name of Object.keys(EXPECTED)) {
      for (const statement of statementsOf(name)) {
        const actions = list(statement.Action);
        const resources = list(statement.Resource);
        if (actions.some((a) => a.startsWith('s3:'))) {
          // The objects of the audio bucket, or the bucket itself (ListBucket, so HeadObject can answer 404).
          const bucketItself = { 'Fn::GetAtt': [bucket, 'Arn'] };
          for (const r of resources) {
            expect([objects('/*'), objects('/transcripts/*'), bucketItself], name).toContainEqual(r);
          }
        }
        if (actions.includes('states:StartExecution')) expect(resources).toEqual([{ Ref: stateMachine }]);
        if (actions.some((a) => a.startsWith('transcribe:'))) {
          expect(JSON.stringify(resources)).toMatch(/:transcription-job\/\*"\]\]\}\]$/);
        }
        if (actions.some((a) => a.startsWith('logs:'))) {
          expect(resources).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] }]);
        }
      }
    }
    const secretsOf = (name: string) =>
      statementsOf(name)
        .filter((s) => list(s.Action).includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => list(s.Resource));
    expect(secretsOf('api-user')).toEqual(expect.arrayContaining([{ Ref: jwt }, { Ref: admin }]));
    expect(secretsOf('api-admin-users')).toEqual([{ Ref: jwt }]);
    expect(secretsOf('api-audio')).toEqual([{ Ref: jwt }]);
  });

  it('lets the audio API write, read and delete audio objects (never write transcripts), and start, find and stop runs', () => {
    const statements = statementsOf('api-audio');
    const bucket = idOf('AWS::S3::Bucket', (p) => p.NotificationConfiguration !== undefined);
    const machine = idOf('AWS::StepFunctions::StateMachine', () => true);
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] };
    const allowed = (action: string) =>
      statements
        .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
        .flatMap((s) => list(s.Resource));
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/transcripts/*']] },
    });
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'])
      expect(allowed(action), action).toEqual([objects]);
    expect(allowed('s3:ListBucket')).toEqual([{ 'Fn::GetAtt': [bucket, 'Arn'] }]);
    for (const action of ['states:StartExecution', 'states:ListExecutions']) {
      expect(allowed(action), action).toEqual([{ Ref: machine }]);
    }
    for (const action of ['states:DescribeExecution', 'states:StopExecution']) {
      const [resource, ...more] = allowed(action);
      expect(more, action).toEqual([]);
      // arn:…:states:<region>:<account>:execution:<state machine name>:* — its executions only.
      expect(JSON.stringify(resource), action).toMatch(new RegExp(`:execution:.*${machine}.*:\\*`));
    }
  });

  it('lets on-delete and complete-transcription delete transcripts only, never audio objects', () => {
    const bucket = idOf('AWS::S3::Bucket', (p) => p.NotificationConfiguration !== undefined);
    for (const name of ['on-delete', 'complete-transcription']) {
      const deletes = statementsOf(name).filter((s) => list(s.Action).includes('s3:DeleteObject'));
      expect(deletes.flatMap((s) => list(s.Resource))).toEqual([
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/transcripts/*']] },
      ]);
    }
    // The audio API deletes a file on request (DELETE /api/audio/{filename}); no other function may.
    const mayDelete = ['on-delete', 'complete-transcription', 'api-audio'];
    for (const name of Object.keys(EXPECTED).filter((n) => !mayDelete.includes(n))) {
      expect(
        statementsOf(name).flatMap((s) => list(s.Action)),
        name,
      ).not.toContain('s3:DeleteObject');
    }
  });

  it('gives on-execution-failed the table (and its dead-letter queue) and nothing else', () => {
    const table = idOf('AWS::DynamoDB::Table', () => true);
    const data = statementsOf('on-execution-failed').filter((s) =>
      list(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    expect(JSON.stringify(data.flatMap((s) => list(s.Resource)))).not.toMatch(/"\*"/);
    for (const resource of data.flatMap((s) => list(s.Resource))) expect(JSON.stringify(resource)).toContain(table);
  });

  it('lets the state machine invoke exactly the five Task functions', () => {
    const roleId = (
      resourcesOf(dev.json, 'AWS::StepFunctions::StateMachine')[0]![1].Properties!.RoleArn as {
        'Fn::GetAtt': [string, string];
      }
    )['Fn::GetAtt'][0];
    const invoke = resourcesOf(dev.json, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => list(s.Action).includes('lambda:InvokeFunction'));
    const targets = invoke.flatMap((s) => list(s.Resource)) as { 'Fn::GetAtt': [string, string] }[];
    const names = targets.map((t) => dev.json.Resources[t['Fn::GetAtt'][0]]!.Properties!.FunctionName);
    expect(names.sort()).toEqual(
      ['check-transcription', 'complete-transcription', 'mark-failed', 'register-upload', 'start-transcription'].map(
        (n) => `audio-ingest-dev-${n}`,
      ),
    );
  });
});
