import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AudioRecord } from '../../lib/store/store.js';
import { silentWav } from '../helpers/audio.js';
import { instantFakeTranscriber, type LocalStack, startLocalStack } from '../helpers/local-stack.js';

/**
 * 100 uploads at once through the local stack (default concurrency, so most executions queue),
 * with the instant fake transcriber: every upload ends as exactly one row, `completed` or
 * `failed` with a reason, and no job is started twice.
 */
const fake = instantFakeTranscriber();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ transcriber: fake, env: { LOCAL_CONCURRENCY: '8' } });
});
afterAll(async () => {
  await stack?.close();
});

async function allRows(): Promise<AudioRecord[]> {
  const rows: AudioRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await stack.pipeline.deps.store.listAudioFiles({ limit: 100, ...(cursor ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return rows;
}

it('100 concurrent uploads → 100 rows, each completed or failed with a reason, no duplicates', async () => {
  const wav = silentWav(1);
  const keys = Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? `load ${i}.mp3` : `load ${i}.wav`));
  await Promise.all(
    keys.map((key) =>
      stack.s3.send(
        new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: key.endsWith('.mp3') ? `not audio ${key}` : wav }),
      ),
    ),
  );
  await stack.pipeline.settled();

  const rows = await allRows();
  expect(rows).toHaveLength(100);
  expect(new Set(rows.map((r) => r.filename))).toEqual(new Set(keys));
  for (const row of rows) {
    if (row.filename.endsWith('.wav')) {
      expect(row, row.filename).toMatchObject({ transcriptStatus: 'completed', transcript: 'instant fake transcript' });
    } else {
      expect(row.transcriptStatus, row.filename).toBe('failed');
      expect(row.transcriptError?.length, row.filename).toBeGreaterThan(10);
    }
  }
  const executions = await stack.pipeline.history.list();
  expect(executions).toHaveLength(100);
  expect(executions.filter((e) => e.status === 'SUCCEEDED')).toHaveLength(90);
  expect(executions.filter((e) => e.status === 'FAILED')).toHaveLength(10);
  expect(fake.started).toHaveLength(90);
  expect(new Set(fake.started).size).toBe(90);
});
