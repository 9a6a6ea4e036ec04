import { join } from 'node:path';
import { Aws, Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EXECUTION_STATUS_CHANGE, UNSUCCESSFUL_STATUSES } from '../../lib/ingest/execution-failure.js';
import { TASK_FUNCTION_TIMEOUT_SECONDS, TRIGGER_FUNCTION_TIMEOUT_SECONDS } from '../../lib/ingest/timeouts.js';
import type { EnvironmentSettings } from '../settings.js';
import { AppFunction, PROJECT_ROOT } from './app-function.js';
import { aslSubstitutions, aslTimeoutSeconds, functionArnPlaceholder } from './asl.js';
import { TRANSCRIPTS_PREFIX } from './storage.js';

export const ASL_PATH = join(PROJECT_ROOT, 'statemachines', 'ingest-audio.asl.json');

/** What each Task of the state machine may touch; nothing else is granted. */
type TaskAccess = {
  table?: 'read' | 'readwrite';
  s3?: ('getAudio' | 'getTranscripts' | 'putTranscripts' | 'deleteTranscripts')[];
  transcribe?: ('start' | 'get')[];
};

/** The Tasks in functions/ingest/, each with exactly the access its lib step uses. */
export const INGEST_TASKS: Record<string, TaskAccess> = {
  // HeadObject and ranged reads for the duration; upserts the row.
  'register-upload': { table: 'readwrite', s3: ['getAudio'] },
  // Transcribe reads the media and writes its output with the caller's permissions.
  'start-transcription': { table: 'readwrite', s3: ['getAudio', 'putTranscripts'], transcribe: ['start'] },
  // Only asks Transcribe for the job state; the attempt counter travels in the state.
  'check-transcription': { transcribe: ['get'] },
  // Reads Transcribe's JSON and deletes it once the text is stored; a transcript too large for the
  // item is written back under transcripts/.
  'complete-transcription': {
    table: 'readwrite',
    s3: ['getTranscripts', 'putTranscripts', 'deleteTranscripts'],
    transcribe: ['get'],
  },
  // HeadObject too: an upload whose registration failed gets its row only while its object exists.
  'mark-failed': { table: 'readwrite', s3: ['getAudio'] },
};

export interface IngestPipelineProps {
  settings: EnvironmentSettings;
  table: Table;
  audioBucket: Bucket;
  /** Variables every function gets (table, bucket, limits, log level). */
  environment: Record<string, string>;
}

/**
 * The pipeline: the Task functions, the Standard state machine loaded from the one ASL file, and
 * its EventBridge rules with one DLQ: S3 "Object Created" → on-upload → StartExecution; S3
 * "Object Deleted" → on-delete (the row and transcript go with the object); the state machine's
 * FAILED / TIMED_OUT / ABORTED executions → on-execution-failed (no row left pending/processing).
 */
export class IngestPipeline extends Construct {
  readonly stateMachine: StateMachine;
  readonly tasks: Record<string, AppFunction> = {};
  readonly onUpload: AppFunction;
  readonly onDelete: AppFunction;
  readonly onExecutionFailed: AppFunction;
  readonly deadLetterQueue: Queue;
  readonly rule: Rule;
  readonly deleteRule: Rule;
  readonly executionFailedRule: Rule;
  readonly substitutions: Record<string, string>;

  constructor(scope: Construct, id: string, props: IngestPipelineProps) {
    super(scope, id);
    const { settings, table, audioBucket } = props;
    const common = {
      environment: props.environment,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    };
    const transcriptionJobs = `arn:${Aws.PARTITION}:transcribe:${Aws.REGION}:${Aws.ACCOUNT_ID}:transcription-job/*`;
    const s3Resources = {
      getAudio: ['s3:GetObject', audioBucket.arnForObjects('*')],
      getTranscripts: ['s3:GetObject', audioBucket.arnForObjects(`${TRANSCRIPTS_PREFIX}*`)],
      putTranscripts: ['s3:PutObject', audioBucket.arnForObjects(`${TRANSCRIPTS_PREFIX}*`)],
      deleteTranscripts: ['s3:DeleteObject', audioBucket.arnForObjects(`${TRANSCRIPTS_PREFIX}*`)],
    } as const;

    const arns: Record<string, string> = {};
    for (const [name, access] of Object.entries(INGEST_TASKS)) {
      const task = new AppFunction(this, placeholderId(name), {
        ...common,
        entry: `functions/ingest/${name}.ts`,
        functionName: `${settings.prefix}-${name}`,
        description: `ingest-audio Task: ${name}`,
        // Ranged reads of large media and Transcribe calls; each Task's TimeoutSeconds is above it.
        timeout: Duration.seconds(TASK_FUNCTION_TIMEOUT_SECONDS),
      });
      if (access.table) task.useTable(table, access.table);
      grantS3(task, access.s3);
      const transcribeActions = (access.transcribe ?? []).map((action) =>
        action === 'start' ? 'transcribe:StartTranscriptionJob' : 'transcribe:GetTranscriptionJob',
      );
      if (transcribeActions.length) task.allow(transcribeActions, [transcriptionJobs]);
      this.tasks[name] = task;
      arns[functionArnPlaceholder(name)] = task.functionArn;
    }

    this.substitutions = aslSubstitutions(ASL_PATH, arns);
    // The file bounds every execution itself (StateMachine's `timeout` does not apply to a file).
    aslTimeoutSeconds(ASL_PATH);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `${settings.prefix}-ingest-audio`,
      stateMachineType: StateMachineType.STANDARD,
      // The ASL file as written (an S3 asset), with one FunctionArn per Task substituted.
      definitionBody: DefinitionBody.fromFile(ASL_PATH),
      definitionSubstitutions: this.substitutions,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'ExecutionLogs', {
          // The vendedlogs prefix keeps the log-group resource policy small (AWS recommendation).
          logGroupName: `/aws/vendedlogs/states/${settings.prefix}-ingest-audio`,
          retention: settings.logRetention,
          removalPolicy: settings.removalPolicy,
        }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    // From a file, CDK cannot see which functions the Tasks call: grant exactly these ARNs.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(this.tasks).map((task) => task.functionArn),
      }),
    );

    // Events the pipeline's functions could not handle (uploads, deletes, failed executions).
    this.deadLetterQueue = new Queue(this, 'UploadDeadLetters', {
      queueName: `${settings.prefix}-upload-dead-letters`,
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });

    this.onUpload = new AppFunction(this, 'OnUpload', {
      ...common,
      environment: { ...props.environment, STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
      entry: 'functions/on-upload.ts',
      functionName: `${settings.prefix}-on-upload`,
      description: 'S3 Object Created → StartExecution of ingest-audio (idempotent by execution name)',
      timeout: Duration.seconds(TRIGGER_FUNCTION_TIMEOUT_SECONDS),
    });
    this.onUpload.allow(['states:StartExecution'], [this.stateMachine.stateMachineArn]);
    const target = (fn: AppFunction) => {
      // Errors thrown by the function itself (after Lambda's async retries) also land in the DLQ.
      fn.fn.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(this.deadLetterQueue),
      });
      return new LambdaFunction(fn.fn, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      });
    };

    /** An S3 event of the audio bucket → fn; objects under transcripts/ are the pipeline's own, not audio. */
    const objectRule = (id: string, detailType: string, description: string, fn: AppFunction) =>
      new Rule(this, id, {
        ruleName: `${settings.prefix}-${detailType.toLowerCase().replace(' ', '-')}`,
        description,
        eventPattern: {
          source: ['aws.s3'],
          detailType: [detailType],
          detail: {
            bucket: { name: [audioBucket.bucketName] },
            object: { key: Match.anythingButPrefix(TRANSCRIPTS_PREFIX) },
          },
        },
        targets: [target(fn)],
      });
    this.rule = objectRule(
      'ObjectCreated',
      'Object Created',
      'Uploads to the audio bucket start the ingest pipeline',
      this.onUpload,
    );

    this.onDelete = new AppFunction(this, 'OnDelete', {
      ...common,
      entry: 'functions/on-delete.ts',
      functionName: `${settings.prefix}-on-delete`,
      description: 'S3 Object Deleted → the row and the transcript object of that file are removed',
      timeout: Duration.seconds(TRIGGER_FUNCTION_TIMEOUT_SECONDS),
    });
    // HeadObject (is the object back?) and DeleteObject of the transcript; nothing else of the bucket.
    this.onDelete.useTable(table, 'readwrite');
    grantS3(this.onDelete, ['getAudio', 'deleteTranscripts']);
    this.deleteRule = objectRule(
      'ObjectDeleted',
      'Object Deleted',
      'Deleting an audio object deletes its row and transcript: the table follows the bucket',
      this.onDelete,
    );

    this.onExecutionFailed = new AppFunction(this, 'OnExecutionFailed', {
      ...common,
      entry: 'functions/on-execution-failed.ts',
      functionName: `${settings.prefix}-on-execution-failed`,
      description: 'ingest-audio FAILED / TIMED_OUT / ABORTED → the row marked failed if the run left it unfinished',
      timeout: Duration.seconds(TRIGGER_FUNCTION_TIMEOUT_SECONDS),
    });
    // The table only: the execution input carries everything it needs.
    this.onExecutionFailed.useTable(table, 'readwrite');
    this.executionFailedRule = new Rule(this, 'ExecutionFailed', {
      ruleName: `${settings.prefix}-execution-failed`,
      description: 'Executions of ingest-audio that end without succeeding: their row never stays pending/processing',
      eventPattern: {
        source: ['aws.states'],
        detailType: [EXECUTION_STATUS_CHANGE],
        detail: {
          stateMachineArn: [this.stateMachine.stateMachineArn],
          status: [...UNSUCCESSFUL_STATUSES],
        },
      },
      targets: [target(this.onExecutionFailed)],
    });

    function grantS3(fn: AppFunction, grants: TaskAccess['s3'] = []): void {
      for (const grant of grants) fn.allow([s3Resources[grant][0]], [s3Resources[grant][1]]);
    }
  }
}

/** Construct id of a Task function: `register-upload` → `RegisterUpload`. */
function placeholderId(name: string): string {
  return functionArnPlaceholder(name).replace(/FunctionArn$/, '');
}
