import * as z from 'zod';
import { ConfigError } from './errors.js';

/**
 * Every environment variable the project reads, validated once. Outside AWS Lambda the defaults
 * are for local use. Inside Lambda (recognised from variables the Lambda runtime itself sets, see
 * runsInLambda) the defaults are the AWS ones and nothing local is assumed: a function deployed
 * without APP_ENV never falls back to cookies without Secure, generated secrets, pocketsphinx,
 * espeak-ng or a SQLite file.
 */
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
/** A whole number in [min, max]; unset or empty is the default (coercion alone would read "" as 0). */
const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const port = (fallback: number) => integer(0, 65_535, fallback);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
/** A value the stack always sets for a deployed function; there is no local fallback in AWS. */
const setByTheStack = (what: string) =>
  z.preprocess(
    emptyAsUndefined,
    z.string({ error: `must be set inside AWS Lambda (${what}; the CDK stack sets it)` }).min(1),
  );
/** `aws` or `local` engine (transcriber, synthesizer). */
const engine = (fallback: 'aws' | 'local') =>
  z.preprocess(emptyAsUndefined, z.enum(['aws', 'local']).default(fallback));

/** The AWS Lambda runtime sets these in every function's environment; a laptop never has them. */
export function runsInLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME) || (env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_');
}

/** The local variables; `configSchema.shape` documents every variable the project reads. */
export const configSchema = z.object({
  /** DynamoDB table name; when set the store is DynamoDB through ElectroDB (always, in Lambda). */
  DYNAMODB_TABLE: optionalString,
  /** Custom DynamoDB endpoint, e.g. a local dynalite (`http://127.0.0.1:4567`). */
  DYNAMODB_ENDPOINT: z.preprocess(
    emptyAsUndefined,
    z.url({ error: 'must be a URL such as http://127.0.0.1:4567' }).optional(),
  ),
  AWS_REGION: z.preprocess(emptyAsUndefined, z.string().default('us-east-1')),
  /** `sqlite:///absolute/path.db`; defaults to `<DATA_DIR>/local.db`. */
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^sqlite:\/\/\/.+/, { error: 'must look like sqlite:///absolute/path/to/file.db' })
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('.data')),
  /** Local mode only: `sqlite` (default) or `dynamodb` (an in-process dynalite). */
  STORE: z.preprocess(emptyAsUndefined, z.enum(['sqlite', 'dynamodb']).default('sqlite')),
  PORT: port(3000),
  S3_PORT: port(4569),
  AUDIO_BUCKET: z.preprocess(emptyAsUndefined, z.string().min(3).default('audio')),
  /** Custom S3 endpoint (local s3rver). */
  S3_ENDPOINT: z.preprocess(
    emptyAsUndefined,
    z.url({ error: 'must be a URL such as http://127.0.0.1:4569' }).optional(),
  ),
  ADMIN_USERNAME: z.preprocess(emptyAsUndefined, z.string().default('admin')),
  ADMIN_PASSWORD: optionalString,
  /** JWT signing key, at least 32 bytes. Locally generated once into DATA_DIR when unset. */
  JWT_SECRET: optionalString,
  /** Secrets Manager ids used when deployed (read at cold start). */
  JWT_SECRET_ARN: optionalString,
  ADMIN_PASSWORD_SECRET_ARN: optionalString,
  STATE_MACHINE_ARN: optionalString,
  TRANSCRIBER: engine('local'),
  /** AWS Transcribe language of the audio. */
  TRANSCRIBE_LANGUAGE_CODE: z.preprocess(emptyAsUndefined, z.string().min(2).default('en-US')),
  /** Polls of a transcription job before the run ends `failed` "timed out" (with the ASL's Wait, the time bound). */
  TRANSCRIPTION_MAX_CHECKS: integer(1, 2000, 720),
  MAX_DURATION_SECONDS: integer(1, Number.MAX_SAFE_INTEGER, 4 * 60 * 60),
  MAX_SIZE_BYTES: integer(1, Number.MAX_SAFE_INTEGER, 2 * 1024 ** 3),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO')),
  /** Local mode: every Wait state of the state machine pauses this long instead of its Seconds. */
  LOCAL_WAIT_MS: integer(0, 600_000, 500),
  /** Local mode: pause between Retry attempts instead of the ASL backoff. */
  LOCAL_RETRY_MS: integer(0, 600_000, 100),
  /** Local mode: executions running at once; further uploads queue. */
  LOCAL_CONCURRENCY: integer(1, 256, 8),
  /** `local` when running on a laptop: cookies are not Secure there and secrets may be generated. */
  APP_ENV: z.preprocess(emptyAsUndefined, z.enum(['local', 'aws']).default('local')),
  /** Text to speech: `aws` (Amazon Polly) or `local` (espeak-ng). */
  SYNTHESIZER: engine('local'),
  /** Voice used when a request names none; each engine has its own default (Polly Joanna, espeak-ng en-us). */
  TTS_VOICE: optionalString,
  /** Amazon Polly engine of the voices offered and used. */
  POLLY_ENGINE: z.preprocess(
    emptyAsUndefined,
    z.enum(['standard', 'neural', 'long-form', 'generative']).default('neural'),
  ),
  /**
   * `true`: `GET /api/audio/{filename}` streams every file to anyone, as the Python service did;
   * otherwise it needs a session or a signed stream URL.
   */
  PUBLIC_AUDIO: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
  ),
  /** How long a signed stream URL (the `url` of list, search and upload results) stays valid. */
  STREAM_URL_TTL_SECONDS: integer(60, 30 * 24 * 60 * 60, 24 * 60 * 60),
  /** The deployment's name, reported by /api/health and /api/status (`local` in local mode). */
  ENVIRONMENT_NAME: optionalString,
});

/** Inside Lambda: the AWS defaults, and what the stack always sets is required. */
const lambdaConfigSchema = configSchema.extend({
  DYNAMODB_TABLE: setByTheStack('the table name: a function in AWS never opens a SQLite file'),
  AUDIO_BUCKET: setByTheStack('the audio bucket'),
  TRANSCRIBER: engine('aws'),
  SYNTHESIZER: engine('aws'),
  APP_ENV: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['aws'], {
        error:
          'must be aws (or unset) inside AWS Lambda: local would send cookies without Secure and accept generated secrets',
      })
      .default('aws'),
  ),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Parses the environment, with the AWS defaults inside Lambda (runsInLambda). A bad value throws
 * a ConfigError that names each variable, what was wrong and what to set it to.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = (runsInLambda(env) ? lambdaConfigSchema : configSchema).safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `${name}: ${issue.message} (got ${JSON.stringify(env[name])})`;
  });
  throw new ConfigError(`Invalid configuration. Fix these environment variables:\n  ${lines.join('\n  ')}`);
}
