import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentWav } from '../helpers/audio.js';
import { instantFakeTranscriber, type LocalStack, startLocalStack } from '../helpers/local-stack.js';

/** `STORE=dynamodb`: the same local stack on an in-process dynalite instead of SQLite. */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ transcriber: instantFakeTranscriber(), env: { STORE: 'dynamodb' } });
});
afterAll(async () => {
  await stack?.close();
});

it('runs the pipeline against dynalite: completed and failed rows land in DynamoDB', async () => {
  expect(stack.pipeline.localStore?.kind).toBe('dynamodb');
  expect(stack.pipeline.localStore?.dynamoEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const ok = await stack.upload('dynamo song (2).wav', silentWav(1.5));
  expect(ok).toMatchObject({ filename: 'dynamo song (2).wav', transcriptStatus: 'completed', duration: 2 });
  const bad = await stack.upload('dynamo-empty.wav', new Uint8Array());
  expect(bad?.transcriptStatus).toBe('failed');
  expect(bad?.transcriptError).toMatch(/empty|0 bytes/i);
  const executions = await stack.pipeline.history.list();
  expect(executions.map((e) => e.status).sort()).toEqual(['FAILED', 'SUCCEEDED']);
});
