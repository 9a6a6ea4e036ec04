import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenService } from '../../lib/auth/tokens.js';
import { type ApiFunction, routes } from '../../lib/http/routes.js';
import { gatewayRequest } from '../../lib/local/api-gateway.js';
import { PROJECT_ROOT } from '../../stacks/constructs/app-function.js';

/**
 * The bundle benchmark's baseline: per function, a minimal handler making the same AWS SDK calls
 * with the same clients and nothing else, and the event each function's first invocation gets.
 */

/**
 * The SDK calls each function makes, as the baseline makes them: its first call first, then one
 * call on every other client its bundle holds (test/deployed/metafile.test.ts lists them), so the
 * baseline carries the same SDKs.
 */
type Call = 'sfn' | 's3' | 'presign' | 'dynamodb' | 'transcribeStart' | 'transcribeGet' | 'polly';
export const CALLS: Record<string, Call[]> = {
  'on-upload': ['sfn'],
  'ingest/register-upload': ['s3', 'dynamodb'],
  'ingest/start-transcription': ['dynamodb', 'transcribeStart', 's3'],
  'ingest/check-transcription': ['transcribeGet', 's3'],
  'ingest/complete-transcription': ['dynamodb', 's3', 'transcribeGet'],
  'ingest/mark-failed': ['dynamodb', 's3'],
  'on-delete': ['s3', 'dynamodb'],
  'on-execution-failed': ['dynamodb'],
  'api/user': ['dynamodb'],
  'api/admin-users': ['dynamodb'],
  'api/audio': ['dynamodb', 's3', 'presign', 'sfn', 'polly'],
  'api/meta': [],
};

const SNIPPETS: Record<Call, { imports: string; client?: string; call: string }> = {
  sfn: {
    imports: "import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';",
    client: 'const sfn = new SFNClient({});',
    call: "await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.STATE_MACHINE_ARN, name: 'bench', input: '{}' }));",
  },
  s3: {
    imports: "import { S3Client, HeadObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';",
    client: 'const s3 = new S3Client({ endpoint: process.env.S3_ENDPOINT, forcePathStyle: true });',
    call: "await s3.send(new HeadObjectCommand({ Bucket: 'bench', Key: 'a.mp3' }));",
  },
  presign: {
    imports: "import { getSignedUrl } from '@aws-sdk/s3-request-presigner';",
    call: "await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bench', Key: 'a.mp3' }), { expiresIn: 60 });",
  },
  dynamodb: {
    imports:
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
    client:
      'const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }));',
    call: "await dynamo.send(new GetCommand({ TableName: 'bench', Key: { PK: 'AUDIO#a.mp3', SK: 'METADATA' } }));",
  },
  transcribeStart: {
    imports: "import { TranscribeClient, StartTranscriptionJobCommand } from '@aws-sdk/client-transcribe';",
    client: 'const transcribe = new TranscribeClient({});',
    call: "await transcribe.send(new StartTranscriptionJobCommand({ TranscriptionJobName: 'bench', Media: { MediaFileUri: 's3://bench/a.mp3' }, LanguageCode: 'en-US' }));",
  },
  polly: {
    imports: "import { PollyClient, SynthesizeSpeechCommand } from '@aws-sdk/client-polly';",
    client: 'const polly = new PollyClient({});',
    call: "await polly.send(new SynthesizeSpeechCommand({ Text: 'bench', OutputFormat: 'mp3', VoiceId: 'Joanna' }));",
  },
  transcribeGet: {
    imports: "import { TranscribeClient, GetTranscriptionJobCommand } from '@aws-sdk/client-transcribe';",
    client: 'const transcribe = new TranscribeClient({});',
    call: "await transcribe.send(new GetTranscriptionJobCommand({ TranscriptionJobName: 'bench' }));",
  },
};

/** The minimal handler making `calls`: clients at module scope, the calls in order, nothing else. */
export function baselineSource(calls: Call[]): string {
  const used = calls.map((call) => SNIPPETS[call]);
  return [
    ...new Set(used.map((s) => s.imports)),
    ...new Set(used.flatMap((s) => (s.client ? [s.client] : []))),
    'export const handler = async () => {',
    ...used.map((s) => `  ${s.call}`),
    "  return { statusCode: 200, body: '{}' };",
    '};',
    '',
  ].join('\n');
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/fixtures/events', name), 'utf8')) as unknown;

/**
 * The payload 2.0 event API Gateway delivers for one request to the function `fn`, built by the
 * emulation the API tests hold to the recorded shapes of test/fixtures/apigw/ (AWS documentation's
 * example and a live capture), routed on the product's own route table.
 */
function httpEvent(fn: ApiFunction, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const outcome = gatewayRequest(routes, {
    method,
    target: path,
    headers: [
      ['host', 'bench.execute-api.eu-west-1.amazonaws.com'],
      ['user-agent', 'bench'],
      ...(body ? ([['content-type', 'application/json']] as const) : []),
      ...(options.token ? ([['authorization', `Bearer ${options.token}`]] as const) : []),
    ],
    ...(body ? { body } : {}),
    sourceIp: '192.0.2.1',
  });
  if (outcome.kind !== 'invoke') throw new Error(`${method} ${path}: API Gateway answers ${outcome.status} itself.`);
  if (outcome.route.fn !== fn)
    throw new Error(`${method} ${path} is served by api/${outcome.route.fn}, not api/${fn}.`);
  return outcome.event;
}

export const JWT_SECRET = 'bench signing key of at least thirty-two bytes long';

/**
 * The event each function's first invocation gets: recorded shapes (test/fixtures/events), and API
 * requests as API Gateway delivers them.
 */
export async function firstEvents(): Promise<Record<string, unknown>> {
  const token = await createTokenService(new TextEncoder().encode(JWT_SECRET)).sign({
    userId: 1,
    username: 'admin',
    sessionVersion: 0,
  });
  return {
    'on-upload': fixture('eventbridge-object-created.json'),
    'on-delete': fixture('eventbridge-object-deleted.json'),
    'on-execution-failed': fixture('sfn-execution-status-failed.json'),
    'ingest/register-upload': fixture('sfn-register-upload.json'),
    'ingest/start-transcription': fixture('sfn-start-transcription.json'),
    'ingest/check-transcription': fixture('sfn-check-transcription.json'),
    'ingest/complete-transcription': fixture('sfn-complete-transcription.json'),
    'ingest/mark-failed': fixture('sfn-mark-failed.json'),
    'api/user': httpEvent('user', 'POST', '/api/user/login', {
      body: { username: 'admin', password: 'not the password' },
    }),
    'api/admin-users': httpEvent('admin-users', 'GET', '/api/admin/users', { token }),
    'api/audio': httpEvent('audio', 'GET', '/api/audio/list', { token }),
    'api/meta': httpEvent('meta', 'GET', '/api/health'),
  };
}

/**
 * The libraries our functions add to a minimal handler, each bundled alone with the same settings
 * and imported alone: where the difference from the baseline comes from.
 */
export const LIBRARIES: Record<string, string> = {
  'nothing (an empty handler)': 'export const handler = async () => 1;',
  'zod (config and event schemas; every function)':
    "import * as z from 'zod'; const s = z.object({ a: z.string() }); export const handler = async () => s.parse({ a: 'x' });",
  'zod imported as Powertools parser imports it (`{ z }`: every locale comes with it; on-upload, on-delete, on-execution-failed)':
    "import { z } from 'zod'; const s = z.object({ a: z.string() }); export const handler = async () => s.parse({ a: 'x' });",
  'Powertools Tracer with aws-xray-sdk-core (every function)':
    "import { Tracer } from '@aws-lambda-powertools/tracer'; const t = new Tracer({ captureHTTPsRequests: false }); export const handler = async () => t.isTracingEnabled();",
  'Powertools Logger (every function)':
    "import { Logger } from '@aws-lambda-powertools/logger'; const l = new Logger({}); export const handler = async () => l.info('x');",
  'Powertools Metrics (every function)':
    "import { Metrics } from '@aws-lambda-powertools/metrics'; const m = new Metrics({ namespace: 'x' }); export const handler = async () => m.hasStoredMetrics();",
  '@middy/core (every function)':
    "import middy from '@middy/core'; export const handler = middy().handler(async () => 1);",
  'ElectroDB, with the DynamoDB document client it requires (functions with the store)':
    "import { Entity } from 'electrodb'; export const e = Entity; export const handler = async () => typeof e;",
  'music-metadata (register-upload)':
    "import { parseBuffer } from 'music-metadata'; export const handler = async () => typeof parseBuffer;",
};
