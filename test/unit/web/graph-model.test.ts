import { describe, expect, it } from 'vitest';
import {
  type AslDefinition,
  describeChoice,
  END,
  overlayRun,
  type RunEvent,
  START,
  stateGraph,
} from '../../../web/src/graph/model.js';
import { INGEST_ASL as asl, loopOn, pathTo } from '../../helpers/asl.js';

/** What a successful run goes through, and the polling loop on it, read from the file. */
const MAIN_PATH = pathTo('Done');
const POLLING = loopOn(MAIN_PATH);
/** The error the `Failed` state ends an execution with once MarkFailed has recorded the failure. */
const RECORDED = (asl.States.Failed as { Error?: string }).Error;

/** Events as lib/local/executions.ts records them (toHistoryEvent), at the given offsets. */
function run(status: string, steps: Array<[string, string?, Partial<RunEvent>?]>) {
  const events: RunEvent[] = steps.map(([type, state, extra], i) => ({
    type,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, (i + 1) * 10)).toISOString(),
    elapsedMs: (i + 1) * 10,
    ...(state ? { state } : {}),
    ...extra,
  }));
  return { status, events };
}

describe('stateGraph', () => {
  it('has a node for every state of the ASL file, plus start and end, in definition order', () => {
    const graph = stateGraph(asl);
    expect(graph.nodes.map((n) => n.id)).toEqual([START, ...Object.keys(asl.States), END]);
    expect(graph.nodes.find((n) => n.id === 'RegisterUpload')?.type).toBe('Task');
  });

  it('draws every Next, Default, Choice and Catch transition of the file', () => {
    const graph = stateGraph(asl);
    const pairs = graph.edges.map((e) => `${e.kind}:${e.from}->${e.to}`);
    expect(pairs).toContain(`start:${START}->RegisterUpload`);
    for (const [name, state] of Object.entries(asl.States))
      if (state.Next) expect(pairs).toContain(`next:${name}->${state.Next}`);
    expect(pairs).toContain('next:RegisterUpload->UseRegisteredKey');
    expect(pairs).toContain('next:UseRegisteredKey->IsNewUpload');
    expect(pairs).toContain('choice:IsNewUpload->Ignored');
    expect(pairs).toContain('default:IsNewUpload->StartTranscription');
    expect(pairs).toContain('catch:RegisterUpload->MarkFailed');
    expect(pairs).toContain('default:TranscriptionState->WaitForTranscription');
    expect(pairs).toContain(`end:Done->${END}`);
    expect(pairs).toContain(`end:Failed->${END}`);
    // One edge per transition in the file: count them from the definition itself.
    const expected = Object.values(asl.States).reduce(
      (sum, s) =>
        sum +
        (s.Choices?.length ?? 0) +
        (s.Default ? 1 : 0) +
        (s.Next ? 1 : 0) +
        (s.Catch?.length ?? 0) +
        (s.End || s.Type === 'Succeed' || s.Type === 'Fail' ? 1 : 0),
      1,
    );
    expect(graph.edges).toHaveLength(expected);
  });

  it('follows the definition: a state added to it is a node, with no code change', () => {
    const extended: AslDefinition = {
      StartAt: 'Hello',
      States: { Hello: { Type: 'Pass', Next: 'World' }, World: { Type: 'Pass', End: true } },
    };
    expect(stateGraph(extended).nodes.map((n) => n.id)).toEqual([START, 'Hello', 'World', END]);
  });

  it('refuses a definition whose transitions name a missing state', () => {
    expect(() => stateGraph({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } })).toThrow(/"A" goes to "B"/);
    expect(() => stateGraph({ StartAt: 'Z', States: { A: { Type: 'Succeed' } } })).toThrow(/starts at "Z"/);
  });

  it('labels choice rules in a few words', () => {
    expect(describeChoice({ Variable: '$.registered.stale', BooleanEquals: true })).toBe('stale = true');
    expect(describeChoice({ Variable: '$.check.state', StringEquals: 'COMPLETED' })).toBe('state = COMPLETED');
    expect(describeChoice({ Variable: '$.check.attempts', NumericGreaterThanEqualsPath: '$.check.maxAttempts' })).toBe(
      'attempts ≥ maxAttempts',
    );
    expect(describeChoice({ Variable: '$.x', IsPresent: false })).toBe('x is not present');
    expect(describeChoice({ And: [{}, {}] })).toBe('all of 2 rules');
  });
});

describe('overlayRun', () => {
  const graph = stateGraph(asl);
  const edge = (from: string, to: string, kind?: string) =>
    graph.edges.find((e) => e.from === from && e.to === to && (!kind || e.kind === kind))!.id;

  it('marks the path of a successful run, with per-state time, visits and retries', () => {
    const visit = (state: string): Array<[string, string]> => [
      ['StateEntered', state],
      ['StateExited', state],
    ];
    const [first, ...rest] = MAIN_PATH.slice(0, MAIN_PATH.indexOf(POLLING[0]!));
    const after = MAIN_PATH.slice(MAIN_PATH.indexOf(POLLING.at(-1)!) + 1);
    expect(first).toBe('RegisterUpload');
    const record = run('SUCCEEDED', [
      ['ExecutionStarted'],
      ['StateEntered', 'RegisterUpload'],
      ['StateFailed', 'RegisterUpload', { error: 'TransientIngestError', cause: 'throttled' }],
      ['StateRetried', 'RegisterUpload', { attempt: 1, errorEquals: ['TransientIngestError'] }],
      ['StateExited', 'RegisterUpload'],
      ...rest.flatMap(visit),
      // Two polls: the loop runs twice before the transcript is ready.
      ...POLLING.flatMap(visit),
      ...POLLING.flatMap(visit),
      ...after.flatMap(visit),
      ['ExecutionSucceeded'],
    ]);
    const overlay = overlayRun(graph, record);
    expect(overlay.path).toEqual(MAIN_PATH);
    const register = overlay.states.RegisterUpload!;
    expect(register).toMatchObject({ outcome: 'succeeded', retries: 1, totalMs: 30 });
    expect(register.error).toEqual({ name: 'TransientIngestError', cause: 'throttled', after: 'retried' });
    expect(overlay.states.CheckTranscription).toMatchObject({ outcome: 'succeeded', totalMs: 20 });
    expect(overlay.states.CheckTranscription!.visits).toHaveLength(2);
    expect(overlay.states.MarkFailed).toBeUndefined();
    for (const taken of [
      edge(START, 'RegisterUpload'),
      ...MAIN_PATH.slice(1).map((state, i) => edge(MAIN_PATH[i]!, state)),
      edge(POLLING.at(-1)!, POLLING[0]!),
      edge('Done', END),
    ])
      expect(overlay.taken.has(taken), taken).toBe(true);
    expect(overlay.taken.has(edge('IsNewUpload', 'StartTranscription'))).toBe(true);
    expect(overlay.taken.has(edge('TranscriptionState', 'CompleteTranscription'))).toBe(true);
    expect(overlay.taken.has(edge('RegisterUpload', 'MarkFailed'))).toBe(false);
    expect(overlay.taken.has(edge('IsNewUpload', 'Ignored'))).toBe(false);
  });

  it('marks a caught failure on the failing state, with its error, and the catch edge as taken', () => {
    const cause = 'The file is not audio that can be read.';
    const record = {
      ...run('FAILED', [
        ['ExecutionStarted'],
        ['StateEntered', 'RegisterUpload', { input: { key: 'bad.wav' } }],
        ['StateFailed', 'RegisterUpload', { error: 'UnsupportedMediaError', cause }],
        ['StateCaught', 'RegisterUpload', { errorEquals: ['States.ALL'], next: 'MarkFailed' }],
        ['StateExited', 'RegisterUpload', { output: { error: { Error: 'UnsupportedMediaError' } } }],
        ['StateEntered', 'MarkFailed'],
        ['StateExited', 'MarkFailed'],
        ['StateEntered', 'Failed'],
        ['StateFailed', 'Failed', { error: RECORDED, cause }],
        ['ExecutionFailed', undefined, { error: RECORDED, cause }],
      ]),
    };
    const overlay = overlayRun(graph, record);
    expect(overlay.states.RegisterUpload).toMatchObject({
      outcome: 'caught',
      error: { name: 'UnsupportedMediaError', cause, after: 'caught' },
    });
    expect(overlay.states.RegisterUpload!.visits[0]).toMatchObject({
      caughtTo: 'MarkFailed',
      input: { key: 'bad.wav' },
    });
    expect(overlay.states.Failed).toMatchObject({ outcome: 'failed', error: { name: 'IngestFailed', cause } });
    expect(overlay.states.MarkFailed!.outcome).toBe('succeeded');
    expect(overlay.taken.has(edge('RegisterUpload', 'MarkFailed', 'catch'))).toBe(true);
    expect(overlay.taken.has(edge('RegisterUpload', asl.States.RegisterUpload!.Next!))).toBe(false);
    expect(overlay.taken.has(edge('Failed', END))).toBe(true);
  });

  it('shows a running state as running, and an aborted one as stopped', () => {
    const steps: Array<[string, string?]> = [['ExecutionStarted'], ['StateEntered', 'RegisterUpload']];
    expect(overlayRun(graph, run('RUNNING', steps)).states.RegisterUpload!.outcome).toBe('running');
    expect(overlayRun(graph, run('ABORTED', [...steps, ['ExecutionAborted']])).states.RegisterUpload!.outcome).toBe(
      'stopped',
    );
  });
});
