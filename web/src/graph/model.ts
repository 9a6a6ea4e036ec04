import type { HistoryEvent } from '../../../lib/local/executions.js';

/**
 * An execution as a state graph: the nodes and edges come from the ASL definition itself (every
 * state, every Next/Default/Choice/Catch transition), and the run's history is laid over them —
 * which states ran, how often and how long, retries and errors, and which transitions were taken.
 * Pure data in, pure data out: the unit tests run it without a browser.
 */

export interface AslCatcher {
  ErrorEquals: string[];
  Next: string;
}

export interface AslState {
  Type: string;
  Comment?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<Record<string, unknown> & { Next?: string }>;
  Retry?: Array<{ ErrorEquals: string[]; MaxAttempts?: number }>;
  Catch?: AslCatcher[];
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

/** Synthetic start and end nodes, as the Step Functions console draws them. */
export const START = '(start)';
export const END = '(end)';

export type EdgeKind = 'start' | 'next' | 'choice' | 'default' | 'catch' | 'end';

export interface GraphNode {
  id: string;
  type: string;
  comment?: string;
  /** Start and End are drawn as small round markers, not states. */
  synthetic: boolean;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

export interface StateGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Every state of the definition, in definition order, and every transition it can make. */
export function stateGraph(definition: AslDefinition): StateGraph {
  const names = Object.keys(definition.States);
  if (!names.includes(definition.StartAt)) {
    throw new Error(`The definition starts at "${definition.StartAt}", which is not one of its states.`);
  }
  const nodes: GraphNode[] = [{ id: START, type: 'Start', synthetic: true }];
  const edges: GraphEdge[] = [];
  const add = (from: string, to: string, kind: EdgeKind, label?: string) => {
    edges.push({ id: `${from}->${to}#${edges.length}`, from, to, kind, ...(label ? { label } : {}) });
  };
  add(START, definition.StartAt, 'start');
  let reachesEnd = false;
  for (const name of names) {
    const state = definition.States[name]!;
    nodes.push({ id: name, type: state.Type, synthetic: false, ...(state.Comment ? { comment: state.Comment } : {}) });
    for (const choice of state.Choices ?? []) if (choice.Next) add(name, choice.Next, 'choice', describeChoice(choice));
    if (state.Default) add(name, state.Default, 'default', 'default');
    if (state.Next) add(name, state.Next, 'next');
    for (const catcher of state.Catch ?? []) add(name, catcher.Next, 'catch', catchLabel(catcher.ErrorEquals));
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') {
      add(name, END, 'end');
      reachesEnd = true;
    }
  }
  if (reachesEnd) nodes.push({ id: END, type: 'End', synthetic: true });
  for (const edge of edges) {
    if (edge.to !== END && !names.includes(edge.to)) {
      throw new Error(`State "${edge.from}" goes to "${edge.to}", which is not one of the definition's states.`);
    }
  }
  return { nodes, edges };
}

const OPERATORS: Record<string, string> = {
  Equals: '=',
  GreaterThan: '>',
  GreaterThanEquals: '≥',
  LessThan: '<',
  LessThanEquals: '≤',
  Matches: 'matches',
};

/** A Choice rule in a few words: `stale = true`, `state = COMPLETED`, `attempts ≥ maxAttempts`. */
export function describeChoice(rule: Record<string, unknown>): string {
  if (Array.isArray(rule.And)) return `all of ${rule.And.length} rules`;
  if (Array.isArray(rule.Or)) return `any of ${rule.Or.length} rules`;
  if (rule.Not && typeof rule.Not === 'object') return `not (${describeChoice(rule.Not as Record<string, unknown>)})`;
  if (typeof rule.Condition === 'string') return rule.Condition; // JSONata
  const variable = typeof rule.Variable === 'string' ? lastSegment(rule.Variable) : '?';
  for (const [key, value] of Object.entries(rule)) {
    const match =
      /^(String|Numeric|Boolean|Timestamp)(Equals|GreaterThan|GreaterThanEquals|LessThan|LessThanEquals|Matches)(Path)?$/.exec(
        key,
      );
    if (match) {
      const operand = match[3] ? lastSegment(String(value)) : String(value);
      return `${variable} ${OPERATORS[match[2]!]} ${operand}`;
    }
    const test = /^Is(Null|Present|Numeric|String|Boolean|Timestamp)$/.exec(key);
    if (test) return `${variable} ${value ? 'is' : 'is not'} ${test[1]!.toLowerCase()}`;
  }
  return variable;
}

function lastSegment(path: string): string {
  return path.split('.').pop() || path;
}

function catchLabel(errors: string[]): string {
  return errors.includes('States.ALL') ? 'on any error' : `on ${errors.join(', ')}`;
}

// --- The run laid over the graph -------------------------------------------------------------

/** A history entry as lib/local/executions.ts records it. */
export type RunEvent = HistoryEvent;

export interface RunRecord {
  status: string;
  events: RunEvent[];
  error?: string;
  cause?: string;
}

/** `stopped`: the run was aborted or timed out while the state ran. */
export type StateOutcome = 'succeeded' | 'caught' | 'failed' | 'running' | 'stopped';

export interface Attempt {
  error: string;
  cause?: string;
  /** What followed: another attempt, a Catch, or nothing (the execution failed here). */
  after: 'retried' | 'caught' | 'failed';
}

export interface Visit {
  enteredAt: string;
  enteredMs: number;
  exitedMs?: number;
  input?: unknown;
  output?: unknown;
  failures: Attempt[];
  outcome: StateOutcome;
  /** Where a Catch sent the run. */
  caughtTo?: string;
}

export interface StateRun {
  visits: Visit[];
  outcome: StateOutcome;
  /** Summed over visits (a polling loop enters some states many times). */
  totalMs: number;
  retries: number;
  /** The error to show on the node: the last one that was not retried away, else the last retried one. */
  error?: { name: string; cause?: string; after: Attempt['after'] };
}

export interface RunOverlay {
  states: Record<string, StateRun>;
  /** Ids of the edges the run went along. */
  taken: Set<string>;
  /** The states in the order they were first entered. */
  path: string[];
}

/** Which states ran, for how long, with which retries and errors, and the transitions taken. */
export function overlayRun(graph: StateGraph, record: RunRecord): RunOverlay {
  const states: Record<string, StateRun> = {};
  const taken = new Set<string>();
  const path: string[] = [];
  const running = record.status === 'RUNNING';
  const endOf = (visit: Visit) => visit.exitedMs ?? visit.enteredMs;
  let previous: { state: string; visit: Visit } | undefined;

  const takeEdge = (from: string, to: string, caught: boolean) => {
    const candidates = graph.edges.filter((edge) => edge.from === from && edge.to === to);
    const edge = candidates.find((e) => (e.kind === 'catch') === caught) ?? candidates[0];
    if (edge) taken.add(edge.id);
  };

  for (const event of record.events) {
    const name = event.state;
    if (event.type === 'StateEntered' && name) {
      const visit: Visit = {
        enteredAt: event.at,
        enteredMs: event.elapsedMs,
        input: event.input,
        failures: [],
        outcome: 'running',
      };
      states[name] ??= { visits: [], outcome: 'running', totalMs: 0, retries: 0 };
      states[name].visits.push(visit);
      if (!path.includes(name)) path.push(name);
      if (previous) takeEdge(previous.state, name, previous.visit.caughtTo === name);
      else takeEdge(START, name, false);
      previous = { state: name, visit };
      continue;
    }
    const visit = name ? states[name]?.visits.at(-1) : undefined;
    if (!visit) continue;
    switch (event.type) {
      case 'StateExited':
        visit.exitedMs = event.elapsedMs;
        visit.output = event.output;
        if (visit.outcome === 'running') visit.outcome = 'succeeded';
        break;
      case 'StateFailed':
        visit.exitedMs = event.elapsedMs;
        visit.failures.push({
          error: event.error ?? 'Error',
          ...(event.cause ? { cause: event.cause } : {}),
          after: 'failed',
        });
        visit.outcome = 'failed';
        break;
      case 'StateRetried': {
        const last = visit.failures.at(-1);
        if (last) last.after = 'retried';
        visit.outcome = 'running';
        states[name!]!.retries++;
        break;
      }
      case 'StateCaught': {
        const last = visit.failures.at(-1);
        if (last) last.after = 'caught';
        visit.outcome = 'caught';
        if (event.next) visit.caughtTo = event.next;
        break;
      }
    }
  }

  // The run ended in a terminal state: draw its way out to End.
  if (previous && !running && record.status === 'SUCCEEDED') takeEdge(previous.state, END, false);
  if (previous && record.status === 'FAILED' && previous.visit.outcome === 'failed')
    takeEdge(previous.state, END, false);

  for (const run of Object.values(states)) {
    for (const visit of run.visits) {
      if (visit.outcome === 'running' && !running) visit.outcome = 'stopped';
      run.totalMs += Math.max(0, endOf(visit) - visit.enteredMs);
    }
    const outcomes = run.visits.map((v) => v.outcome);
    run.outcome = outcomes.includes('failed')
      ? 'failed'
      : outcomes.includes('caught')
        ? 'caught'
        : outcomes.includes('stopped')
          ? 'stopped'
          : outcomes.at(-1) === 'running'
            ? 'running'
            : 'succeeded';
    const failures = run.visits.flatMap((v) => v.failures);
    const shown = failures.filter((f) => f.after !== 'retried').at(-1) ?? failures.at(-1);
    if (shown) run.error = { name: shown.error, ...(shown.cause ? { cause: shown.cause } : {}), after: shown.after };
  }
  return { states, taken, path };
}
