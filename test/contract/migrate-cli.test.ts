import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { main } from '../../lib/migrate/cli.js';
import { createPythonDb, seedPythonDb, type TempDb } from '../unit/migrate/fixtures.js';

let dynamo: LocalDynamo;
let source: TempDb;

beforeAll(async () => {
  dynamo = await startDynalite();
  source = createPythonDb();
  seedPythonDb(source.db, { users: 3, audio: 7 });
});
afterAll(async () => {
  source?.cleanup();
  await dynamo?.close();
});

/** Runs the CLI in-process; the environment has no AWS settings unless given. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

describe('migrate CLI', () => {
  it('documents every command in --help', async () => {
    const top = await run(['--help']);
    for (const command of [
      'sqlite-to-dynamodb',
      'dynamodb-to-dynamodb',
      'repair-legacy-keys',
      'import-users',
      'create-table',
    ]) {
      expect(top.out).toContain(command);
    }
    const sub = await run(['sqlite-to-dynamodb', '--help']);
    for (const option of ['--from <path>', '--table <name>', '--endpoint <url>', '--region <region>', '--dry-run']) {
      expect(sub.out).toContain(option);
    }
    expect((await run(['repair-legacy-keys', '--help'])).out).toContain('--apply');
    const copy = (await run(['dynamodb-to-dynamodb', '--help'])).out;
    for (const option of ['--from <table>', '--segments <n>', '--from-endpoint <url>', '--checkpoint <path>']) {
      expect(copy).toContain(option);
    }
  });

  it('creates a table, migrates into it, and reports a re-run as unchanged', async () => {
    const table = `cli-${randomUUID()}`;
    const endpoint = ['--endpoint', dynamo.endpoint];
    expect((await run(['create-table', '--table', table, ...endpoint])).code).toBe(0);

    const first = await run(['sqlite-to-dynamodb', '--from', source.path, '--table', table, ...endpoint]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/users\s+3\s+3\s+0\s+0\s+0/);
    expect(first.out).toMatch(/audio\s+7\s+7\s+0\s+0\s+0/);
    expect(first.out).toMatch(/audio\s+7\s+7\s+match/);
    // Not a terminal: plain progress lines, no carriage returns.
    expect(first.err).not.toContain('\r');

    const second = await run(['sqlite-to-dynamodb', '--from', source.path, ...endpoint], { DYNAMODB_TABLE: table });
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/users\s+3\s+0\s+3/);
    expect(second.out).toContain('OK: everything unchanged.');
  });

  it('names the missing table, its region and how to point at the right one (exit 1, no stack)', async () => {
    const result = await run([
      'sqlite-to-dynamodb',
      '--from',
      source.path,
      '--table',
      'no-such-table',
      '--region',
      'eu-west-3',
      '--endpoint',
      dynamo.endpoint,
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/table "no-such-table" in region eu-west-3 .*was not found/);
    expect(result.err).toMatch(/DYNAMODB_TABLE=.*AWS_REGION=/);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(result.out).toBe('');
  });

  it('says when the endpoint refuses connections', async () => {
    const result = await run(['repair-legacy-keys', '--table', 't-1', '--endpoint', 'http://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/Cannot reach DynamoDB at http:\/\/127\.0\.0\.1:1 .*ECONNREFUSED.*--endpoint/);
  });

  it('says how to provide credentials when there are none', async () => {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    try {
      const result = await run(['create-table', '--table', 'audio', '--region', 'eu-west-1']);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/No AWS credentials found for DynamoDB table "audio" in region eu-west-1/);
      expect(result.err).toMatch(/AWS_PROFILE|AWS_ACCESS_KEY_ID/);
    } finally {
      process.env = saved;
    }
  });

  it('rejects a missing --table and a bad source file with a sentence naming the fix', async () => {
    const noTable = await run(['create-table']);
    expect(noTable.code).toBe(1);
    expect(noTable.err).toContain('--table <name> is required (or set DYNAMODB_TABLE)');
    const noFile = await run([
      'sqlite-to-dynamodb',
      '--from',
      '/nonexistent.db',
      '--table',
      'x-1',
      '--endpoint',
      dynamo.endpoint,
    ]);
    expect(noFile.code).toBe(1);
    expect(noFile.err).toMatch(/SQLite file not found: \/nonexistent\.db/);
  });

  it('runs as `npm run migrate` (tsx entry point) and exits non-zero on errors', async () => {
    const exec = promisify(execFile);
    const help = await exec('npx', ['tsx', 'lib/migrate/cli.ts', '--help']);
    expect(help.stdout).toContain('sqlite-to-dynamodb');
    const failed = await exec('npx', [
      'tsx',
      'lib/migrate/cli.ts',
      'create-table',
      '--table',
      'x-1',
      '--endpoint',
      'http://127.0.0.1:1',
    ]).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(/Cannot reach DynamoDB/);
  }, 60_000);
});
