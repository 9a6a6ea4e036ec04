import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable } from '../../lib/model/table.js';
import { BUNDLE, PROJECT_ROOT } from '../../stacks/constructs/app-function.js';
import { apiEvent } from '../integration/api/harness.js';

const run = promisify(execFile);

/**
 * The login function as it is deployed (bundled with the stack's esbuild settings, run in a fresh
 * Node process) in the environment the Lambda runtime gives it, with the stack's variables but
 * without APP_ENV: it must behave as deployed, never as on a laptop.
 */

// What the Lambda runtime sets itself (AWS Lambda developer guide, "Defined runtime environment variables").
const LAMBDA_RUNTIME = {
  AWS_LAMBDA_FUNCTION_NAME: 'audio-ingest-dev-api-user',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};
const PASSWORD = 'deployed admin password';

let dir: string;
let bundle: string;
let dynamo: LocalDynamo;

beforeAll(async () => {
  // Inside the project (dist/ is ignored), so the external argon2 loader resolves as in /var/task.
  mkdirSync(join(PROJECT_ROOT, 'dist'), { recursive: true });
  dir = mkdtempSync(join(PROJECT_ROOT, 'dist', 'lambda-defaults-'));
  bundle = join(dir, 'index.mjs');
  const { banner, ...settings } = BUNDLE;
  await build({
    ...settings,
    external: [...settings.external],
    mainFields: [...settings.mainFields],
    banner: { js: banner },
    entryPoints: [join(PROJECT_ROOT, 'functions/api/user.ts')],
    bundle: true,
    outfile: bundle,
    logLevel: 'silent',
  });
  dynamo = await startDynalite();
  const client = dynamo.client();
  await createTable(client, 'deployed');
  client.destroy();
}, 60_000);

afterAll(async () => {
  await dynamo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Invokes the bundle's handler with a login event in a child process (async: dynalite runs here). */
async function login(env: Record<string, string>): Promise<{ statusCode: number; cookies?: string[]; body: string }> {
  const event = apiEvent('POST', '/api/user/login', { body: { username: 'admin', password: PASSWORD } });
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const result = await handler(JSON.parse(process.env.TEST_EVENT), { awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 });
process.stdout.write(JSON.stringify(result));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'SILENT', TEST_EVENT: JSON.stringify(event), ...env },
  });
  return JSON.parse(stdout);
}

describe('a deployed API function started without APP_ENV', () => {
  const stack = {
    DYNAMODB_TABLE: 'deployed',
    AUDIO_BUCKET: 'audio-bucket',
    JWT_SECRET: 'a-deployed-signing-key-of-more-than-32-bytes',
    ADMIN_PASSWORD: PASSWORD,
  };

  it('marks the session cookie Secure', async () => {
    const result = await login({ ...LAMBDA_RUNTIME, ...stack, DYNAMODB_ENDPOINT: dynamo.endpoint });
    expect(result.statusCode).toBe(200);
    expect(result.cookies?.[0]).toMatch(/^session=.+; Secure$/);
  });

  it('refuses to generate a signing key: no login without JWT_SECRET or JWT_SECRET_ARN', async () => {
    const { JWT_SECRET: _, ...withoutKey } = stack;
    const result = await login({ ...LAMBDA_RUNTIME, ...withoutKey, DYNAMODB_ENDPOINT: dynamo.endpoint });
    expect(result.statusCode).toBe(500);
    expect(result.cookies ?? []).toEqual([]);
  });

  it('does not start in local mode even when APP_ENV=local is set', async () => {
    const result = await login({ ...LAMBDA_RUNTIME, ...stack, DYNAMODB_ENDPOINT: dynamo.endpoint, APP_ENV: 'local' });
    expect(result.statusCode).toBe(500);
    expect(result.cookies ?? []).toEqual([]);
  });
});
