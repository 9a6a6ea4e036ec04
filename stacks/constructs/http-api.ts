import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ParamsAndSecretsLayerVersion, ParamsAndSecretsVersions } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ApiFunction, Route } from '../../lib/http/routes.js';
import { routes } from '../../lib/http/routes.js';
import type { EnvironmentSettings } from '../settings.js';
import { AppFunction } from './app-function.js';
import { TRANSCRIPTS_PREFIX } from './storage.js';

export type ApiFunctionName = ApiFunction;

/**
 * Every route of the HTTP API and the function (functions/api/<fn>.ts) that serves it, taken from
 * the route table the handlers dispatch on, so a new route is deployed without touching the stack.
 */
export const API_ROUTES: readonly Pick<Route, 'method' | 'path' | 'fn' | 'auth'>[] = routes.map(
  ({ method, path, fn, auth }) => ({ method, path, fn, auth }),
);

/** `METHOD /path` of the routes that answer without a session (the rest check the JWT in the function). */
export const PUBLIC_ROUTES = API_ROUTES.filter((route) => route.auth === 'public').map(
  (route) => `${route.method} ${route.path}`,
);

export interface HttpApiProps {
  settings: EnvironmentSettings;
  table: Table;
  audioBucket: Bucket;
  stateMachine: StateMachine;
  jwtSecret: Secret;
  adminPasswordSecret: Secret;
  environment: Record<string, string>;
}

/** The HTTP API (API Gateway v2): one function per route group, access logs, throttling, CORS. */
export class AudioHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Record<ApiFunctionName, AppFunction>;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const { settings, table, audioBucket, stateMachine, jwtSecret, adminPasswordSecret } = props;
    const make = (name: ApiFunctionName, environment: Record<string, string>, hashesPasswords = false) =>
      new AppFunction(this, `Api${name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`, {
        entry: `functions/api/${name}.ts`,
        functionName: `${settings.prefix}-api-${name}`,
        description: `HTTP API: ${API_ROUTES.filter((r) => r.fn === name)
          .map((r) => `${r.method} ${r.path}`)
          .join(', ')}`.slice(0, 256),
        environment: { ...props.environment, ENVIRONMENT_NAME: settings.name, ...environment },
        logRetention: settings.logRetention,
        removalPolicy: settings.removalPolicy,
        timeout: Duration.seconds(15),
        // argon2id with m=19456 is memory-bound; more memory also means more CPU on Lambda.
        memorySize: hashesPasswords ? 1024 : 512,
        // Secrets are read at cold start through the Parameters and Secrets extension (cached by it).
        ...(Object.keys(environment).some((name) => name.endsWith('_SECRET_ARN'))
          ? {
              paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
                cacheEnabled: true,
                secretsManagerTtl: Duration.minutes(5),
              }),
            }
          : {}),
      });
    const jwt = { JWT_SECRET_ARN: jwtSecret.secretArn };
    this.functions = {
      user: make('user', { ...jwt, ADMIN_PASSWORD_SECRET_ARN: adminPasswordSecret.secretArn }, true),
      'admin-users': make('admin-users', jwt, true),
      audio: make('audio', { ...jwt, STATE_MACHINE_ARN: stateMachine.stateMachineArn }),
      meta: make('meta', {}),
    };
    const { user, audio } = this.functions;
    const admin = this.functions['admin-users'];

    for (const fn of [user, admin, audio]) jwtSecret.grantRead(fn.role);
    adminPasswordSecret.grantRead(user.role);
    // Login upgrades legacy hashes and records throttling; admin routes manage users.
    user.useTable(table, 'readwrite');
    admin.useTable(table, 'readwrite');
    // Uploads, re-transcribe, cancel and the deletes change rows.
    audio.useTable(table, 'readwrite');
    // The presigned upload URL is signed with this role, and the upload form writes with it:
    // anywhere but the transcripts prefix.
    audio.allow(['s3:PutObject'], [audioBucket.arnForObjects('*')]);
    audio.role.addToPolicy(denyTranscriptWrites(audioBucket));
    // The stream redirect is a GET presigned by this role; transcripts too large for the row are
    // read; HeadObject (the upload's "already exists" check) is authorized as GetObject.
    audio.allow(['s3:GetObject'], [audioBucket.arnForObjects('*')]);
    // Without ListBucket, HeadObject of a missing key answers 403 instead of 404.
    audio.allow(['s3:ListBucket'], [audioBucket.bucketArn]);
    // DELETE /api/audio/{filename}: the object and its transcript object.
    audio.allow(['s3:DeleteObject'], [audioBucket.arnForObjects('*')]);
    // Re-transcribe starts a run; cancel and delete find the file's runs and stop them.
    audio.allow(['states:StartExecution', 'states:ListExecutions'], [stateMachine.stateMachineArn]);
    stateMachine.grantExecution(audio.role, 'states:DescribeExecution', 'states:StopExecution');
    // Text to speech: Polly's SynthesizeSpeech and DescribeVoices have no resource to scope them to
    // (only lexicons, which are not used).
    audio.allow(['polly:SynthesizeSpeech', 'polly:DescribeVoices'], ['*']);
    // meta (health, OpenAPI) touches neither the store nor a secret: it keeps only its log permissions.

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${settings.prefix}-api`,
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: `${settings.prefix}-api`,
      description: 'audio-ingest HTTP API',
      createDefaultStage: false,
      corsPreflight: settings.corsOrigins.length
        ? {
            allowOrigins: settings.corsOrigins,
            allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
            allowHeaders: ['content-type', 'authorization'],
            allowCredentials: true,
            maxAge: Duration.hours(1),
          }
        : undefined,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: settings.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });

    const integrations = new Map<ApiFunctionName, HttpLambdaIntegration>();
    for (const route of API_ROUTES) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.fn}-integration`, this.functions[route.fn].fn);
        integrations.set(route.fn, integration);
      }
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
  }

  get url(): string {
    return this.stage.url;
  }
}

function denyTranscriptWrites(bucket: Bucket): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.DENY,
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects(`${TRANSCRIPTS_PREFIX}*`)],
  });
}
