import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { AppFunction } from './constructs/app-function.js';
import type { ConsoleSite } from './constructs/console.js';
import { PUBLIC_ROUTES } from './constructs/http-api.js';
import type { IngestStack } from './ingest-stack.js';

/**
 * Every cdk-nag AwsSolutions finding the stack accepts, on the narrowest construct, each with
 * its reason. Anything not listed here fails synth (and test/infra/nag.test.ts). The wildcard
 * acknowledgements are backed by the role tests, which pin what each `*` statement may contain.
 */
export function acknowledgeFindings(stack: IngestStack): void {
  const { pipeline, http, storage } = stack;
  const functions: AppFunction[] = [
    ...Object.values(pipeline.tasks),
    pipeline.onUpload,
    pipeline.onDelete,
    pipeline.onExecutionFailed,
    ...Object.values(http.functions),
  ];
  const tableArn = stack.resolve(storage.table.tableArn) as { 'Fn::GetAtt': [string, string] };
  const bucketArn = stack.resolve(storage.audioBucket.bucketArn) as { 'Fn::GetAtt': [string, string] };
  const table = `<${tableArn['Fn::GetAtt'][0]}.Arn>`;
  const bucket = `<${bucketArn['Fn::GetAtt'][0]}.Arn>`;

  for (const fn of functions) {
    ack(
      fn.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active X-Ray tracing: xray:PutTraceSegments/PutTelemetryRecords have no resource-level permissions (the role tests pin that only X-Ray actions use *).',
    );
    if (!fn.tableAccess) continue;
    ack(
      fn.role,
      `AwsSolutions-IAM5[Resource::${table}/index/*]`,
      "The store queries this table's own GSIs (list, user by id, search); the grant is limited to this table's indexes.",
    );
  }
  for (const name of ['register-upload', 'start-transcription'] as const) {
    ack(
      pipeline.tasks[name]!.role,
      `AwsSolutions-IAM5[Resource::${bucket}/*]`,
      'Reads the uploaded object, whose key is only known at run time (HeadObject, ranged reads; Transcribe reads the media as the caller); limited to the audio bucket.',
    );
  }
  for (const fn of [pipeline.tasks['mark-failed']!, pipeline.onDelete]) {
    ack(
      fn.role,
      `AwsSolutions-IAM5[Resource::${bucket}/*]`,
      'HeadObject of an upload whose key is only known at run time (does the object exist?); s3:GetObject only, limited to the audio bucket.',
    );
  }
  ack(
    http.functions.audio.role,
    `AwsSolutions-IAM5[Resource::${bucket}/*]`,
    'Audio objects are named by the user (upload-url, the upload form) and read or deleted by that name (the stream redirect, DELETE /api/audio/{filename}); limited to the audio bucket, and an explicit Deny keeps writes out of transcripts/.',
  );
  ack(
    http.functions.audio.role,
    'AwsSolutions-IAM5[Resource::*]',
    'Also Amazon Polly (text to speech): SynthesizeSpeech and DescribeVoices take no resource but lexicons, and none is used (the role tests pin that only Polly and X-Ray actions use *).',
  );
  const machineRef = (stack.resolve(pipeline.stateMachine.stateMachineArn) as { Ref: string }).Ref;
  ack(
    http.functions.audio.role,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineRef}"}]}]}:*]`,
    'Cancel and delete describe and stop the runs of one file, whose execution names are made per upload at run time; limited to executions of the ingest state machine.',
  );
  for (const fn of [
    pipeline.tasks['start-transcription']!,
    pipeline.tasks['complete-transcription']!,
    pipeline.onDelete,
    http.functions.audio,
  ]) {
    ack(
      fn.role,
      `AwsSolutions-IAM5[Resource::${bucket}/transcripts/*]`,
      'Transcript objects are named per upload at run time; access is limited to the transcripts/ prefix of the audio bucket.',
    );
  }
  for (const name of ['start-transcription', 'check-transcription', 'complete-transcription'] as const) {
    ack(
      pipeline.tasks[name]!.role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:transcribe:<AWS::Region>:<AWS::AccountId>:transcription-job/*]',
      'Transcribe job names are derived from each upload at run time; limited to transcription jobs of this account and region.',
    );
  }
  ack(
    pipeline.stateMachine.role,
    'AwsSolutions-IAM5[Resource::*]',
    'Step Functions log delivery (logs:CreateLogDelivery etc.) and X-Ray tracing APIs have no resource-level permissions; Lambda invoke is granted on the five Task ARNs only.',
  );
  ack(
    pipeline.deadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is itself the dead-letter queue of the EventBridge targets and of their functions’ async failures; nothing consumes it automatically, so it needs no DLQ.',
  );

  ack(
    stack.jwtSecret,
    'AwsSolutions-SMG4',
    'Rotating the HS256 signing key logs every user out; it is rotated by hand (README, operations) rather than on a schedule.',
  );
  ack(
    stack.adminPasswordSecret,
    'AwsSolutions-SMG4',
    'Read once to create the admin user (stored as an argon2id hash); later password changes happen in the app, so rotating this secret would change nothing.',
  );
  if (!stack.settings.pointInTimeRecovery) {
    ack(
      storage.table,
      'AwsSolutions-DDB3',
      'dev holds disposable test data and is destroyed with the stack; point-in-time recovery is enabled in prod.',
    );
  }

  for (const route of http.api.node.children.filter((child) => /^[A-Z]+--/.test(child.node.id))) {
    const key = route.node.id.replace(/--/g, '/').replace(/^(\w+)\//, '$1 /');
    ack(
      route,
      'AwsSolutions-APIG4',
      PUBLIC_ROUTES.includes(key)
        ? `${key} is public by design (log in, health check, API description).`
        : `${key}: the function verifies the session JWT (cookie or Bearer) from the route table's auth level; an API Gateway JWT authorizer cannot read the HttpOnly session cookie.`,
    );
  }
  if (stack.console) acknowledgeConsoleFindings(stack, stack.console);
}

/** The findings of the static-site construct (`-c console=true`) and of CDK's BucketDeployment handler. */
function acknowledgeConsoleFindings(stack: IngestStack, site: ConsoleSite): void {
  const cdn = site.distribution;
  ack(
    cdn,
    'AwsSolutions-CFR1',
    'The console serves its users wherever they are; sign-in, login throttling and per-route authorization protect it, not geography.',
  );
  ack(
    cdn,
    'AwsSolutions-CFR2',
    'The API behind /api/* has API Gateway stage throttling and store-backed login throttling; a WAF web ACL (billed per ACL and rule) can be attached to the distribution when a deployment needs one.',
  );
  ack(
    cdn,
    'AwsSolutions-CFR4',
    'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum viewer protocol; serving it under a custom domain with an ACM certificate allows TLSv1.2_2021.',
  );
  // CDK's BucketDeployment runs one shared handler function per stack; its role and runtime are CDK's.
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('The console deployment handler was not found: CDK renamed it; update stacks/nag.ts.');
  const siteBucketArn = stack.resolve(site.bucket.bucketArn) as { 'Fn::GetAtt': [string, string] };
  const reasons: Record<string, string> = {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      "CDK's BucketDeployment handler writes its own logs with the basic execution role CDK gives it.",
    'AwsSolutions-IAM5[Action::s3:GetObject*]':
      'BucketDeployment reads the built console from the CDK asset bucket (CDK grants read on that bucket only).',
    'AwsSolutions-IAM5[Action::s3:GetBucket*]':
      'BucketDeployment reads the asset and site buckets it copies between (CDK grants read on those two only).',
    'AwsSolutions-IAM5[Action::s3:List*]':
      'BucketDeployment lists the asset and site buckets to copy the console (CDK grants it on those two only).',
    'AwsSolutions-IAM5[Action::s3:DeleteObject*]':
      'BucketDeployment may replace objects in the console site bucket; the grant is limited to that bucket.',
    'AwsSolutions-IAM5[Action::s3:Abort*]':
      'BucketDeployment aborts its own failed multipart uploads into the console site bucket; limited to that bucket.',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]':
      'The built console is a CDK asset whose object key is its content hash; read access is limited to the bootstrap asset bucket.',
    [`AwsSolutions-IAM5[Resource::<${siteBucketArn['Fn::GetAtt'][0]}.Arn>/*]`]:
      'BucketDeployment writes the console files (names from the build) into the site bucket; limited to that bucket.',
    'AwsSolutions-IAM5[Resource::*]':
      'CloudFront CreateInvalidation/GetInvalidation, which BucketDeployment calls to refresh index.html at the edge, are granted by CDK on *.',
    'AwsSolutions-L1':
      "The BucketDeployment handler's Python runtime is pinned by the aws-cdk-lib version; it moves with CDK upgrades.",
  };
  for (const [id, reason] of Object.entries(reasons)) ack(handler, id, reason);
}

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
