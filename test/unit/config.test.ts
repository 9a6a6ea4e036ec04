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
