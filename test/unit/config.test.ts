import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives local defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.DYNAMODB_TABLE).toBeUndefined();
    expect(config.ADMIN_PASSWORD).toBeUndefined();
    expect(config).toMatchObject({
      PORT: 3000,
      S3_PORT: 4569,
      AUDIO_BUCKET: 'audio',
      DATA_DIR: '.data',
      STORE: 'sqlite',
      TRANSCRIBER: 'local',
      ADMIN_USERNAME: 'admin',
      AWS_REGION: 'us-east-1',
      APP_ENV: 'local',
    });
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ DYNAMODB_TABLE: '', S3_PORT: '4000', STORE: '' });
    expect(config.DYNAMODB_TABLE).toBeUndefined();
    expect(config).toMatchObject({
      S3_PORT: 4000,
      STORE: 'sqlite',
    });
    // Numbers too: `PORT=` is the default port, not port 0 (a random free one).
    expect(loadConfig({ PORT: '', LOCAL_WAIT_MS: '', TRANSCRIPTION_MAX_CHECKS: '' })).toMatchObject({
      PORT: 3000,
      LOCAL_WAIT_MS: 500,
      TRANSCRIPTION_MAX_CHECKS: 720,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://db/x' }, 'DATABASE_URL: must look like sqlite:///absolute/path/to/file.db'],
    [{ DYNAMODB_ENDPOINT: 'localhost' }, 'DYNAMODB_ENDPOINT: must be a URL such as http://127.0.0.1:4567'],
    [{ STORE: 'postgres' }, 'STORE'],
    [{ TRANSCRIBER: 'whisper' }, 'TRANSCRIBER'],
  ])('names the variable, the value and the fix for %j', (env, expected) => {
    const error = configError(env);
    expect(error.message).toContain(expected);
    expect(error.message).toContain(JSON.stringify(Object.values(env)[0]));
  });

  it('lists every bad variable at once', () => {
    const error = configError({ PORT: 'x', S3_PORT: '-1' });
    // Anchored: a bare 'PORT:' would also match inside 'S3_PORT:'.
    expect(error.message).toMatch(/^ {2}PORT:/m);
    expect(error.message).toMatch(/^ {2}S3_PORT:/m);
  });
});

describe('loadConfig inside AWS Lambda', () => {
  // What the Lambda runtime itself puts in every function's environment (AWS Lambda developer
  // guide, "Defined runtime environment variables"); the stack's own variables come on top.
  const lambdaRuntime = {
    AWS_LAMBDA_FUNCTION_NAME: 'audio-ingest-dev-api-user',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  };
  const stack = { DYNAMODB_TABLE: 'audio-ingest-dev', AUDIO_BUCKET: 'audio-ingest-dev-audio' };

  it.each([
    ['AWS_LAMBDA_FUNCTION_NAME', { AWS_LAMBDA_FUNCTION_NAME: 'fn' }],
    ['AWS_EXECUTION_ENV', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }],
  ])('recognises Lambda from %s and uses the AWS defaults without APP_ENV', (_, runtime) => {
    const config = loadConfig({ ...runtime, ...stack });
    expect(config).toMatchObject({ APP_ENV: 'aws', TRANSCRIBER: 'aws', SYNTHESIZER: 'aws', ...stack });
  });

  it('refuses APP_ENV=local there, naming the variable and why', () => {
    const error = configError({ ...lambdaRuntime, ...stack, APP_ENV: 'local' });
    expect(error.message).toMatch(/APP_ENV: must be aws \(or unset\) inside AWS Lambda.*Secure/);
  });

  it('has no local fallback for the table or the bucket there', () => {
    const error = configError(lambdaRuntime);
    expect(error.message).toMatch(/^ {2}DYNAMODB_TABLE: must be set inside AWS Lambda/m);
    expect(error.message).toMatch(/^ {2}AUDIO_BUCKET: must be set inside AWS Lambda/m);
  });

  it('keeps an explicit engine choice', () => {
    expect(loadConfig({ ...lambdaRuntime, ...stack, TRANSCRIBER: 'local' }).TRANSCRIBER).toBe('local');
  });

  it('keeps the local defaults where the runtime variables are absent or foreign', () => {
    expect(loadConfig({ AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' })).toMatchObject({
      APP_ENV: 'local',
      TRANSCRIBER: 'local',
    });
  });
});
