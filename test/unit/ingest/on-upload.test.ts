import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/on-upload.js';
import { loadConfig } from '../../../lib/config.js';
import type { ExecutionStarter, StartExecutionRequest } from '../../../lib/ingest/ports.js';
import { createDeps, setDeps } from '../../../lib/runtime.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import type { Store } from '../../../lib/store/store.js';

const fixture = async (name: string) =>
  JSON.parse(await readFile(join(import.meta.dirname, '../../fixtures/events', name), 'utf8')) as unknown;

let dir: string;
let store: Store;
const requests: StartExecutionRequest[] = [];
const executions: ExecutionStarter = {
  async start(request) {
    const seen = requests.some((earlier) => earlier.name === request.name);
    requests.push(request);
    return { started: !seen };
  },
  findRunning: async () => [],
  stop: async () => false,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'on-upload-'));
  store = openSqliteStore(join(dir, 'local.db'));
  setDeps(createDeps(loadConfig({ LOG_LEVEL: 'SILENT' }), { store, executions }));
});
afterAll(async () => {
  setDeps(undefined);
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('functions/on-upload handler', () => {
  it('starts one execution per upload and reports duplicates and ignored records', async () => {
    const first = await handler(await fixture('s3-notification-batch.json'), {} as Context);
    expect(first).toMatchObject({ ignored: 1, duplicates: [] });
    expect(first.started).toHaveLength(2);
    const again = await handler(await fixture('s3-notification-batch.json'), {} as Context);
    expect(again).toMatchObject({ started: [], duplicates: first.started });
    expect(requests.map((request) => request.input.key)).toEqual([
      'a+b.mp3',
      'long talk.wav',
      'a+b.mp3',
      'long talk.wav',
    ]);
  });

  it('asks for STATE_MACHINE_ARN when no starter is installed and none is configured', async () => {
    const installed = setDeps(createDeps(loadConfig({ LOG_LEVEL: 'SILENT' }), { store }));
    try {
      await expect(handler(await fixture('s3-notification-put.json'), {} as Context)).rejects.toThrow(
        /STATE_MACHINE_ARN: not set/,
      );
    } finally {
      setDeps(installed);
    }
  });
});
