import { afterAll, beforeAll, expect, it } from 'vitest';
import { END, overlayRun, START, stateGraph } from '../../../web/src/graph/model.js';
import { INGEST_ASL, pathTo } from '../../helpers/asl.js';
import { silentWav } from '../../helpers/audio.js';
import { instantFakeTranscriber, type LocalStack, startLocalStack } from '../../helpers/local-stack.js';

/**
 * The console's graph overlay on histories the local runner really wrote (the real ASL file, the
 * real functions): a good upload takes the main path to Done, a broken one is caught at
 * RegisterUpload and ends in Failed, each marked where the run went.
 */
const graph = stateGraph(INGEST_ASL);
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ transcriber: instantFakeTranscriber() });
  await stack.upload('good.wav', silentWav(2));
  await stack.upload('broken.wav', 'this is not audio');
});
afterAll(() => stack?.close());

async function recordOf(key: string) {
  const summary = (await stack.pipeline.history.list()).find((run) => run.key === key);
  expect(summary, `an execution lists ${key} as its key`).toBeDefined();
  return stack.pipeline.history.get(summary!.name);
}

it('marks RegisterUpload → … → CompleteTranscription → Done on a real successful run', async () => {
  const record = await recordOf('good.wav');
  const overlay = overlayRun(graph, record);
  // The main path of the file, each state entered (the polling loop more than once).
  expect(overlay.path).toEqual(pathTo('Done'));
  expect(overlay.path.slice(-2)).toEqual(['CompleteTranscription', 'Done']);
  for (const state of overlay.path) expect(overlay.states[state]!.outcome, state).toBe('succeeded');
  const taken = graph.edges.filter((e) => overlay.taken.has(e.id)).map((e) => `${e.from}->${e.to}`);
  expect(taken).toContain(`${START}->RegisterUpload`);
  expect(taken).toContain('TranscriptionState->CompleteTranscription');
  expect(taken).toContain(`Done->${END}`);
  expect(taken).not.toContain('RegisterUpload->MarkFailed');
});

it('marks the failing state of a real failed run with its error, and the way through MarkFailed', async () => {
  const record = await recordOf('broken.wav');
  expect(record.status).toBe('FAILED');
  const overlay = overlayRun(graph, record);
  expect(overlay.path).toEqual(['RegisterUpload', 'MarkFailed', 'Failed']);
  expect(overlay.states.RegisterUpload!.outcome).toBe('caught');
  expect(overlay.states.RegisterUpload!.error?.name).toBe('UnsupportedMediaError');
  expect(overlay.states.RegisterUpload!.error?.cause).toMatch(/not audio/);
  const taken = graph.edges.filter((e) => overlay.taken.has(e.id));
  expect(taken.map((e) => `${e.kind}:${e.from}->${e.to}`)).toEqual([
    `start:${START}->RegisterUpload`,
    'catch:RegisterUpload->MarkFailed',
    'next:MarkFailed->Failed',
    `end:Failed->${END}`,
  ]);
});
