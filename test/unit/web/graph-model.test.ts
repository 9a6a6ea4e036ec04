import { readFileSync } from 'node:fs';
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

const asl = JSON.parse(readFileSync('statemachines/ingest-audio.asl.json', 'utf8')) as AslDefinition;

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
    expect(pairs).toContain('next:RegisterUpload->IsNewUpload');
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
    const record = run('SUCCEEDED', [
      ['ExecutionStarted'],
      ['StateEntered', 'RegisterUpload'],
      ['StateFailed', 'RegisterUpload', { error: 'TransientIngestError', cause: 'throttled' }],
      ['StateRetried', 'RegisterUpload', { attempt: 1, errorEquals: ['TransientIngestError'] }],
      ['StateExited', 'RegisterUpload'],
      ['StateEntered', 'IsNewUpload'],
      ['StateExited', 'IsNewUpload'],
      ['StateEntered', 'StartTranscription'],
      ['StateExited', 'StartTranscription'],
      ['StateEntered', 'IsJobOurs'],
      ['StateExited', 'IsJobOurs'],
      ...(['1', '2'] as const).flatMap(
        (): Array<[string, string]> => [
          ['StateEntered', 'WaitForTranscription'],
          ['StateExited', 'WaitForTranscription'],
          ['StateEntered', 'CheckTranscription'],
          ['StateExited', 'CheckTranscription'],
          ['StateEntered', 'TranscriptionState'],
          ['StateExited', 'TranscriptionState'],
        ],
      ),
      ['StateEntered', 'CompleteTranscription'],
      ['StateExited', 'CompleteTranscription'],
      ['StateEntered', 'Done'],
      ['StateExited', 'Done'],
      ['ExecutionSucceeded'],
    ]);
    const overlay = overlayRun(graph, record);
    expect(overlay.path).toEqual([
      'RegisterUpload',
      'IsNewUpload',
      'StartTranscription',
      'IsJobOurs',
      'WaitForTranscription',
      'CheckTranscription',
      'TranscriptionState',
      'CompleteTranscription',
      'Done',
    ]);
    const register = overlay.states.RegisterUpload!;
    expect(register).toMatchObject({ outcome: 'succeeded', retries: 1, totalMs: 30 });
    expect(register.error).toEqual({ name: 'TransientIngestError', cause: 'throttled', after: 'retried' });
    expect(overlay.states.CheckTranscription).toMatchObject({ outcome: 'succeeded', totalMs: 20 });
    expect(overlay.states.CheckTranscription!.visits).toHaveLength(2);
    expect(overlay.states.MarkFailed).toBeUndefined();
    for (const taken of [
      edge(START, 'RegisterUpload'),
      edge('IsNewUpload', 'StartTranscription'),
      edge('TranscriptionState', 'WaitForTranscription'),
      edge('TranscriptionState', 'CompleteTranscription'),
      edge('Done', END),
    ])
      expect(overlay.taken.has(taken), taken).toBe(true);
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
        ['StateFailed', 'Failed', { error: 'UnsupportedMediaError', cause }],
        ['ExecutionFailed', undefined, { error: 'UnsupportedMediaError', cause }],
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
    expect(overlay.states.Failed!.outcome).toBe('failed');
    expect(overlay.states.MarkFailed!.outcome).toBe('succeeded');
    expect(overlay.taken.has(edge('RegisterUpload', 'MarkFailed', 'catch'))).toBe(true);
    expect(overlay.taken.has(edge('RegisterUpload', 'IsNewUpload'))).toBe(false);
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
