import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/local/asl.js';
import type { ExecutionRecord } from '../../lib/local/executions.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import { silentWav } from '../helpers/audio.js';
import { hasCommand } from '../helpers/local-stack.js';
import { until } from '../helpers/until.js';

/**
 * Local executions survive a restart as Step Functions executions do: `npm start` (its real
 * entry point, lib/local/start.ts, in a child process with the local pocketsphinx engine) is
 * killed with SIGKILL while an execution waits between StartTranscription and CheckTranscription;
 * started again on the same DATA_DIR, it runs that execution again and the file ends `completed`
 * with one transcription job and one row. (This test process hosts no server: the child hosts
 * s3rver and SQLite, and the test only talks to it over HTTP and reads files.)
 */
const tools = ['ffmpeg', 'pocketsphinx_continuous'];
const missing = tools.filter((tool) => !hasCommand(tool));
const PASSWORD = 'restart-admin-password-for-tests';
const KEY = 'interrupted talk.wav';

interface Started {
  child: ChildProcess;
  api: string;
  s3: string;
  output: string[];
}

/** Runs lib/local/start.ts on Node (this test's Node 24) and resolves once it printed its URLs. */
function startLocalMode(dataDir: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'lib/local/start.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      S3_PORT: '0',
      ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'WARN',
      TRANSCRIBER: 'local',
      LOCAL_RETRY_MS: '10',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local mode did not start:\n${output.join('')}`)), 60_000);
    const read = (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = output.join('');
      const api = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(text)?.[1];
      const s3 = /S3\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      if (api && s3) {
        clearTimeout(timer);
        resolve({ child, api, s3, output });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local mode exited (${code}) before it started:\n${output.join('')}`));
    });
  });
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** The execution records in DATA_DIR/executions, as the history saves them. */
function executions(dataDir: string): ExecutionRecord[] {
  const dir = join(dataDir, 'executions');
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    try {
      return [JSON.parse(readFileSync(join(dir, file), 'utf8')) as ExecutionRecord];
    } catch {
      return []; // being replaced right now
    }
  });
}

const entered = (record: ExecutionRecord | undefined, state: string) =>
  (record?.events ?? []).filter((event) => event.type === 'StateEntered' && event.state === state).length;

describe.skipIf(missing.length > 0)(`npm start killed mid-execution (needs ${tools.join(', ')})`, () => {
  let dataDir: string;
  let running: Started | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'restart-'));
  });
  afterAll(async () => {
    if (running) {
      running.child.kill('SIGKILL');
      await stopped(running.child);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the interrupted execution again: completed, one transcription job, one row', async () => {
    // First run: every Wait lasts 10 minutes, so the execution sits between the two Tasks.
    running = await startLocalMode(dataDir, { LOCAL_WAIT_MS: '600000' });
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: running.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAANYPROFILE', secretAccessKey: 'whatever' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await s3.send(new PutObjectCommand({ Bucket: 'audio', Key: KEY, Body: silentWav(2) }));
    s3.destroy();
    const waiting = await until(
      () => executions(dataDir)[0],
      (record) => entered(record, 'WaitForTranscription') === 1,
      60_000,
    );
    expect(entered(waiting, 'WaitForTranscription')).toBe(1);
    expect(entered(waiting, 'CheckTranscription')).toBe(0);

    running.child.kill('SIGKILL');
    await stopped(running.child);
    running = undefined;

    // Killed mid-run: the history says RUNNING and the row is stuck in processing.
    const [killed] = executions(dataDir);
    expect(killed?.status).toBe('RUNNING');
    const store = openSqliteStore(join(dataDir, 'local.db'));
    expect((await store.getAudioFile(KEY))?.transcriptStatus).toBe('processing');
    await store.close();

    // Second run on the same DATA_DIR, with short waits.
    running = await startLocalMode(dataDir, { LOCAL_WAIT_MS: '50', TRANSCRIPTION_MAX_CHECKS: '1200' });
    const login = await fetch(`${running.api}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const get = async (path: string) =>
      (await (await fetch(`${running?.api}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        transcript_status?: string;
        files?: { filename: string }[];
      };
    const file = await until(
      () => get(`/api/audio/${encodeURIComponent(KEY)}/metadata`),
      (body) => body.transcript_status === 'completed' || body.transcript_status === 'failed',
      90_000,
    );
    const log = () => `${JSON.stringify(file)}\n${JSON.stringify(executions(dataDir))}\n${running?.output.join('')}`;
    expect(file.transcript_status, log()).toBe('completed');

    const listed = await get('/api/audio/list');
    expect(listed.files?.map((entry) => entry.filename)).toEqual([KEY]);

    // The row is completed inside CompleteTranscription; the execution ends a moment later.
    const records = await until(
      async () => executions(dataDir),
      (found) => found.length !== 1 || found[0]?.status !== 'RUNNING',
      30_000,
    );
    expect(records, log()).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({ name: killed?.name, status: 'SUCCEEDED', restarts: 1 });
    expect(record?.events.map((event) => event.type)).toContain('ExecutionRestarted');
    // StartTranscription ran in both processes and named the same job both times.
    const jobs = record?.events
      .filter((event) => event.type === 'StateExited' && event.state === 'StartTranscription')
      .map((event) => (event.output as { job?: { jobName?: string } }).job?.jobName);
    expect(jobs, log()).toHaveLength(2);
    expect(new Set(jobs)).toEqual(new Set([record?.name]));
    // Nothing left in the local engine's store of jobs: the job's result went once its text was on the row.
    const stored = readdirSync(join(dataDir, 'transcriber')).filter((name) => name.endsWith('.json'));
    expect(stored, log()).toEqual([]);

    running.child.kill('SIGTERM');
    await stopped(running.child);
    running = undefined;
  }, 180_000);
});
