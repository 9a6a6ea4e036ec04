import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionHistory, type ExecutionRecord, executionsHttp } from '../../../lib/local/executions.js';
import { runExecutionsCli } from '../../../lib/local/executions-cli.js';
import { formatExecutionList, formatTimeline } from '../../../lib/local/timeline.js';

let dir: string;
let history: ExecutionHistory;

function record(name: string, status: ExecutionRecord['status'], startedAt: string): ExecutionRecord {
  const input = { bucket: 'audio', key: `${name}.mp3` };
  return {
    name,
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:ingest-audio:${name}`,
    stateMachine: 'ingest-audio',
    status,
    input,
    startedAt,
    stoppedAt: startedAt,
    durationMs: 1234,
    ...(status === 'FAILED' ? { error: 'UnsupportedMediaError', cause: 'The file is empty.' } : {}),
    events: [
      { type: 'ExecutionStarted', at: startedAt, elapsedMs: 0, input },
      { type: 'StateEntered', at: startedAt, elapsedMs: 1, state: 'RegisterUpload', stateType: 'Task', input },
      {
        type: 'StateFailed',
        at: startedAt,
        elapsedMs: 5,
        state: 'RegisterUpload',
        stateType: 'Task',
        error: 'Lambda.ServiceException',
        cause: 'Rate exceeded',
      },
      {
        type: 'StateRetried',
        at: startedAt,
        elapsedMs: 6,
        state: 'RegisterUpload',
        stateType: 'Task',
        attempt: 1,
        errorEquals: ['Lambda.ServiceException'],
      },
      {
        type: 'StateExited',
        at: startedAt,
        elapsedMs: 9,
        state: 'RegisterUpload',
        stateType: 'Task',
        output: { ...input, registered: { duration: 3 } },
      },
      {
        type: 'StateCaught',
        at: startedAt,
        elapsedMs: 10,
        state: 'StartTranscription',
        stateType: 'Task',
        errorEquals: ['States.ALL'],
        next: 'MarkFailed',
      },
    ],
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'history-'));
  history = ExecutionHistory.forDataDir(dir);
  await history.save(record('older-run', 'SUCCEEDED', '2026-01-01T10:00:00.000Z'));
  await history.save(record('newer-run', 'FAILED', '2026-01-02T10:00:00.000Z'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('execution history', () => {
  it('lists newest first without timelines, filters by status, and leaves no temp files', async () => {
    const list = await history.list();
    expect(list.map((e) => e.name)).toEqual(['newer-run', 'older-run']);
    expect(list[0]).not.toHaveProperty('events');
    expect((await history.list({ status: 'FAILED' })).map((e) => e.name)).toEqual(['newer-run']);
    expect(readdirSync(join(dir, 'executions')).sort()).toEqual(['newer-run.json', 'older-run.json']);
  });

  it('applies concurrent saves of one execution in call order', async () => {
    const base = record('racing', 'RUNNING', '2026-01-03T00:00:00.000Z');
    await Promise.all([history.save({ ...base }), history.save({ ...base, status: 'SUCCEEDED' })]);
    expect((await history.get('racing')).status).toBe('SUCCEEDED');
  });

  it('treats an empty or missing directory as no executions', async () => {
    const empty = new ExecutionHistory(join(dir, 'nothing-here'));
    expect(await empty.list()).toEqual([]);
    expect(await empty.exists('x')).toBe(false);
  });
});

describe('JSON for the local server', () => {
  it('GET /local/executions and /local/executions/{name}', async () => {
    const list = await executionsHttp(history, { query: { status: 'failed', limit: '5' } });
    expect(list).toMatchObject({
      status: 200,
      body: { count: 1, executions: [{ name: 'newer-run', status: 'FAILED' }] },
    });
    const one = await executionsHttp(history, { name: 'older-run' });
    expect(one.status).toBe(200);
    expect((one.body as ExecutionRecord).events).toHaveLength(6);
  });

  it('answers 404 for an unknown name and 400 for a bad name, status or limit, with a detail', async () => {
    expect(await executionsHttp(history, { name: 'nope' })).toMatchObject({
      status: 404,
      body: { detail: expect.stringContaining('nope') },
    });
    expect(await executionsHttp(history, { name: '../../etc/passwd' })).toMatchObject({ status: 400 });
    expect(await executionsHttp(history, { query: { status: 'DONE' } })).toMatchObject({ status: 400 });
    expect(await executionsHttp(history, { query: { limit: '-1' } })).toMatchObject({ status: 400 });
  });
});

describe('text output', () => {
  it('lists name, status, start and duration in aligned columns', () => {
    const text = formatExecutionList([
      {
        name: 'a',
        executionArn: 'x',
        stateMachine: 'm',
        status: 'SUCCEEDED',
        startedAt: '2026-01-01T00:00:00.000Z',
        durationMs: 42,
      },
    ]);
    expect(text.split('\n')).toEqual([
      'NAME  STATUS     STARTED                   DURATION',
      'a     SUCCEEDED  2026-01-01T00:00:00.000Z  42 ms',
    ]);
  });

  it('prints a timeline with failures, retries, catches and only what each state changed', async () => {
    const text = formatTimeline(await history.get('newer-run'));
    expect(text).toContain('newer-run  FAILED');
    expect(text).toContain('error     UnsupportedMediaError: The file is empty.');
    expect(text).toContain('✗ RegisterUpload (Task)  Lambda.ServiceException: Rate exceeded');
    expect(text).toContain('↻ RegisterUpload (Task)  retry #1 (Lambda.ServiceException)');
    expect(text).toContain('← RegisterUpload (Task)  {"registered":{"duration":3}}');
    expect(text).toContain('⤷ StartTranscription (Task)  caught (States.ALL) → MarkFailed');
  });

  it('the CLI prints one execution, or JSON with --json', async () => {
    expect(await runExecutionsCli(['older-run'], history)).toContain('older-run  SUCCEEDED');
    const json = JSON.parse(await runExecutionsCli(['--json', '--status', 'succeeded'], history)) as { name: string }[];
    expect(json.map((e) => e.name)).toEqual(['older-run']);
    await expect(runExecutionsCli(['missing-run'], history)).rejects.toThrow(/No local execution named "missing-run"/);
  });
});
