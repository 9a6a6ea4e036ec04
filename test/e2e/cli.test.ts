import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/local/asl.js';
import { startLocalS3 } from '../../lib/local/s3.js';

/** `npm run invoke` and `npm run executions` as a developer runs them, in separate processes. */
const run = promisify(execFile);
const tsx = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
let dataDir: string;
let etag: string;

async function cli(script: string, args: string[], stdin?: string) {
  const child = run(tsx, [join(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'WARN',
    },
    timeout: 60_000,
  });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The recorded classic S3 notification (URL-encoded key, as AWS sends it) for another object. */
function notification(key: string, size: number) {
  const event = JSON.parse(
    readFileSync(join(import.meta.dirname, '../fixtures/events/s3-notification-put.json'), 'utf8'),
  ) as { Records: { s3: { object: Record<string, unknown> } }[] };
  const encoded = encodeURIComponent(key).replace(/%20/g, '+').replace(/\(/g, '%28').replace(/\)/g, '%29');
  Object.assign(event.Records[0]!.s3.object, { key: encoded, size, eTag: etag, sequencer: '0A1B2C3D4E' });
  return event;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cli-'));
  // An object in the local S3 files, as a previous `npm start` upload would have left it.
  const s3 = await startLocalS3({ port: 0, dataDir, bucket: 'audio' });
  const client = s3.client();
  const put = await client.send(
    new PutObjectCommand({ Bucket: 'audio', Key: 'old notes (1).mp3', Body: 'plain text, not audio' }),
  );
  etag = (put.ETag ?? '').replace(/"/g, '');
  client.destroy();
  await s3.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run invoke', () => {
  it('names the available functions for an unknown one and exits non-zero', async () => {
    const result = await cli('lib/local/invoke.ts', ['no-such-fn', '--event', '-'], '{}');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Unknown function "no-such-fn"');
    expect(result.stderr).toContain('on-upload');
    expect(result.stderr).toContain('ingest/register-upload');
  });

  it('runs on-upload with an AWS-shaped event from stdin and the execution it starts, on the local store', async () => {
    const result = await cli(
      'lib/local/invoke.ts',
      ['on-upload', '--event', '-'],
      JSON.stringify(notification('old notes (1).mp3', 21)),
    );
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { started: string[] };
    expect(output.started).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`execution ${output.started[0]}: FAILED`));

    const list = await cli('lib/local/executions-cli.ts', []);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/NAME\s+STATUS\s+STARTED\s+DURATION/);
    expect(list.stdout).toContain(`${output.started[0]}  FAILED`);

    const timeline = await cli('lib/local/executions-cli.ts', [output.started[0] as string]);
    expect(timeline.code).toBe(0);
    expect(timeline.stdout).toContain('→ RegisterUpload (Task)');
    expect(timeline.stdout).toContain('✗ RegisterUpload (Task)  UnsupportedMediaError');
    expect(timeline.stdout).toContain('→ MarkFailed (Task)');
  }, 90_000);

  it('exits 1 with the error type when the function throws (event file)', async () => {
    const file = join(dataDir, 'register-text.json');
    const input = { bucket: 'audio', key: 'old notes (1).mp3', sequencer: '0A1B2C3D4F', etag, size: 21 };
    writeFileSync(file, JSON.stringify({ ...input, execution: 'old-notes-1-mp3-000000000000' }));
    const result = await cli('lib/local/invoke.ts', ['ingest/register-upload', '--event', file]);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout) as { errorType: string; errorMessage: string };
    expect(output.errorType).toBe('UnsupportedMediaError');
    expect(output.errorMessage).toMatch(/not audio|format/i);
  }, 60_000);

  it('rejects an event file that is not JSON, naming the file', async () => {
    const file = join(dataDir, 'broken.json');
    writeFileSync(file, '{ not json');
    const result = await cli('lib/local/invoke.ts', ['on-upload', '--event', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`The event in ${file} is not valid JSON`);
  });
});

describe('npm run executions', () => {
  it('says which name is unknown and how to list them', async () => {
    const result = await cli('lib/local/executions-cli.ts', ['never-ran']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No local execution named "never-ran"');
  });
});
