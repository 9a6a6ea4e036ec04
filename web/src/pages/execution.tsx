import { useMemo, useState } from 'preact/hooks';
import definition from '../../../statemachines/ingest-audio.asl.json';
import { api, type ExecutionRecord } from '../api.js';
import { Facts } from '../components/fields.js';
import { RunBadge } from '../components/status.js';
import { formatMs, formatTime } from '../format.js';
import { GraphView } from '../graph/graph-view.js';
import { type AslDefinition, overlayRun, type StateRun, stateGraph, type Visit } from '../graph/model.js';
import { usePageTitle, usePoller } from '../hooks.js';
import { href } from '../router.js';

// The graph is drawn from the one ASL file the stack deploys and local mode runs: a state added
// there appears here with the next build.
const graph = stateGraph(definition as unknown as AslDefinition);
const SHOWN_VISITS = 5;

/** One execution drawn as the state machine, with the path it took; choose a state for its input and output. */
export function ExecutionPage({ name }: { name: string }) {
  const heading = usePageTitle(name);
  const [record, setRecord] = useState<ExecutionRecord | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);

  usePoller(async () => {
    try {
      const next = await api.execution(name);
      setRecord(next);
      setError(undefined);
      return next.status === 'RUNNING';
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    }
  }, name);

  const overlay = useMemo(() => (record ? overlayRun(graph, record) : undefined), [record]);
  // Until a state is chosen, show the one that failed (what a person opens this page for).
  const failing = overlay
    ? Object.entries(overlay.states).find(([, run]) => run.outcome === 'failed' || run.outcome === 'caught')?.[0]
    : undefined;
  const shown = selected ?? failing;
  const key = (record?.input as { key?: unknown } | undefined)?.key;

  return (
    <div class="page wide-page">
      <p class="crumbs">
        <a href={href.executions()}>Executions</a> /
      </p>
      <h1 ref={heading} tabIndex={-1} class="filename">
        {name}
      </h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {record && overlay ? (
        <>
          <Facts
            items={[
              ['Status', <RunBadge status={record.status} />],
              ['Started', formatTime(record.startedAt)],
              ['Duration', formatMs(record.durationMs)],
              ['File', typeof key === 'string' ? <a href={href.file(key)}>{key}</a> : '—'],
            ]}
          />
          {record.error ? (
            <div class="error-box" role="alert">
              <h2>
                Failed with <code>{record.error}</code>
              </h2>
              <p>{record.cause}</p>
            </div>
          ) : null}
          <Legend />
          <div class="execution-layout">
            <GraphView graph={graph} overlay={overlay} selected={shown} onSelect={setSelected} />
            <StateDetails name={shown} run={shown ? overlay.states[shown] : undefined} />
          </div>
          <details class="io">
            <summary>Execution input and output</summary>
            <h3>Input</h3>
            <Json value={record.input} label="Execution input" />
            <h3>Output</h3>
            <Json value={record.output ?? null} label="Execution output" />
          </details>
        </>
      ) : !error ? (
        <p class="muted">Loading…</p>
      ) : null}
    </div>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label="Legend">
      <li>
        <span class="swatch outcome-succeeded" /> succeeded
      </li>
      <li>
        <span class="swatch outcome-failed" /> failed (or caught)
      </li>
      <li>
        <span class="swatch outcome-running" /> running
      </li>
      <li>
        <span class="swatch outcome-none" /> not run
      </li>
      <li>
        <span class="swatch path" /> path taken
      </li>
    </ul>
  );
}

function StateDetails({ name, run }: { name: string | undefined; run: StateRun | undefined }) {
  if (!name) {
    return (
      <aside class="state-details" aria-label="State details">
        <p class="muted">Choose a state to see its input, output and errors.</p>
      </aside>
    );
  }
  const visits = run?.visits ?? [];
  const shown = visits.slice(-SHOWN_VISITS);
  return (
    <aside class="state-details" aria-labelledby="state-title" data-testid="state-details">
      <h2 id="state-title">{name}</h2>
      {!run ? (
        <p class="muted">This run never entered {name}.</p>
      ) : (
        <>
          <p>
            {run.outcome === 'caught' ? 'failed, caught' : run.outcome} · {formatMs(run.totalMs)} in {visits.length}{' '}
            {visits.length === 1 ? 'visit' : 'visits'}
            {run.retries ? ` · ${run.retries} ${run.retries === 1 ? 'retry' : 'retries'}` : ''}
          </p>
          {visits.length > shown.length ? (
            <p class="muted">
              Showing the last {shown.length} of {visits.length} visits.
            </p>
          ) : null}
          {shown.map((visit, i) => (
            <VisitView key={visit.enteredAt + i} visit={visit} number={visits.length - shown.length + i + 1} />
          ))}
        </>
      )}
    </aside>
  );
}

function VisitView({ visit, number }: { visit: Visit; number: number }) {
  return (
    <section class="visit" aria-label={`Visit ${number}`}>
      <h3>
        Visit {number}: +{formatMs(visit.enteredMs)}, {formatMs((visit.exitedMs ?? visit.enteredMs) - visit.enteredMs)}
      </h3>
      {visit.failures.map((failure, i) => (
        <p key={i} class={failure.after === 'retried' ? 'muted' : 'error'}>
          <strong>{failure.error}</strong>
          {failure.cause ? `: ${failure.cause}` : ''}{' '}
          {failure.after === 'retried'
            ? '(retried)'
            : failure.after === 'caught'
              ? `(caught → ${visit.caughtTo ?? 'next'})`
              : ''}
        </p>
      ))}
      <h4>Input</h4>
      <Json value={visit.input} label={`Input of visit ${number}`} />
      {visit.output !== undefined ? (
        <>
          <h4>Output</h4>
          <Json value={visit.output} label={`Output of visit ${number}`} />
        </>
      ) : null}
    </section>
  );
}

function Json({ value, label }: { value: unknown; label: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
    <section class="json" tabIndex={0} aria-label={label}>
      <pre>{JSON.stringify(value, null, 2) ?? 'undefined'}</pre>
    </section>
  );
}
