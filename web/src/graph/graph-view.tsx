import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatMs } from '../format.js';
import { browserElk } from './elk.js';
import { type Layout, layoutGraph } from './layout.js';
import type { GraphNode, RunOverlay, StateGraph, StateRun } from './model.js';

const STATE_WIDTH = 236;
const LINE = 18;

/** The lines a state's box shows, so the layout can size the box before it is drawn. */
function linesOf(node: GraphNode, run: StateRun | undefined) {
  const outcome = run ? (run.outcome === 'caught' ? 'failed, caught' : run.outcome) : 'not run';
  return {
    name: node.id,
    kind: `${node.type} · ${outcome}`,
    stats: run ? `${formatMs(run.totalMs)}${run.visits.length > 1 ? ` · ${run.visits.length} visits` : ''}` : undefined,
    retries: run?.retries ? `↻ ${run.retries} ${run.retries === 1 ? 'retry' : 'retries'}` : undefined,
    error: run?.error ? `${run.error.name}${run.error.cause ? `: ${run.error.cause}` : ''}` : undefined,
  };
}

function sizeOf(node: GraphNode, run: StateRun | undefined) {
  if (node.synthetic) return { width: 76, height: 30 };
  const lines = linesOf(node, run);
  const height =
    14 + 20 + LINE + (lines.stats ? LINE : 0) + (lines.retries ? LINE : 0) + (lines.error ? 2 * LINE + 4 : 0);
  return { width: STATE_WIDTH, height };
}

/**
 * The state machine drawn from its definition, with the run laid over it: taken transitions
 * highlighted, each state's outcome, time, retries and error on its box. States are buttons:
 * choosing one shows its input and output beside the graph.
 */
export function GraphView(props: {
  graph: StateGraph;
  overlay: RunOverlay;
  selected: string | undefined;
  onSelect: (state: string) => void;
}) {
  const { graph, overlay } = props;
  const [layout, setLayout] = useState<Layout | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  // Re-layout only when a box changes size (a new line of text), not on every poll.
  const sizes = useMemo(
    () => Object.fromEntries(graph.nodes.map((node) => [node.id, sizeOf(node, overlay.states[node.id])])),
    [graph, overlay],
  );
  const sizeKey = JSON.stringify(sizes);
  useEffect(() => {
    let current = true;
    layoutGraph(browserElk(), graph, (id) => sizes[id]!).then(
      (next) => current && setLayout(next),
      (failure: Error) => current && setError(`The graph could not be laid out: ${failure.message}`),
    );
    return () => {
      current = false;
    };
  }, [graph, sizeKey]);

  // On a narrow screen the graph scrolls sideways: start with the chosen state (or the start) in view.
  const scroller = useRef<HTMLDivElement>(null);
  const focusId = props.selected ?? graph.nodes[0]?.id;
  useEffect(() => {
    const box = focusId ? layout?.nodes[focusId] : undefined;
    const element = scroller.current;
    if (!box || !element) return;
    const visible = box.x >= element.scrollLeft && box.x + box.width <= element.scrollLeft + element.clientWidth;
    if (visible) return;
    element.scrollLeft = Math.max(0, box.x + box.width / 2 - element.clientWidth / 2);
  }, [layout, focusId]);

  if (error) return <p class="error">{error}</p>;
  if (!layout) return <p class="muted">Drawing the state machine…</p>;

  return (
    <div class="graph-scroll" ref={scroller}>
      <div class="graph" style={{ width: `${layout.width}px`, height: `${layout.height}px` }} data-testid="state-graph">
        <svg width={layout.width} height={layout.height} aria-hidden="true" class="edges">
          <defs>
            {[
              ['arrow', 9],
              ['arrow-taken', 11],
            ].map(([id, size]) => (
              <marker
                key={id}
                id={String(id)}
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth={size}
                markerHeight={size}
                markerUnits="userSpaceOnUse"
                orient="auto"
              >
                <path d="M0 0 L10 5 L0 10 z" class={String(id)} />
              </marker>
            ))}
          </defs>
          {layout.edges.map(({ edge, d, label }) => {
            const taken = overlay.taken.has(edge.id);
            return (
              <g
                key={edge.id}
                class={`edge edge-${edge.kind}${taken ? ' taken' : ''}`}
                data-from={edge.from}
                data-to={edge.to}
              >
                <path d={d} marker-end={taken ? 'url(#arrow-taken)' : 'url(#arrow)'} />
                {label ? (
                  <text x={label.x + label.width / 2} y={label.y + label.height - 4} text-anchor="middle">
                    {label.text}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
        {graph.nodes.map((node) => {
          const box = layout.nodes[node.id];
          if (!box) return null;
          const position = {
            left: `${box.x}px`,
            top: `${box.y}px`,
            width: `${box.width}px`,
            height: `${box.height}px`,
          };
          const run = overlay.states[node.id];
          if (node.synthetic) {
            const reached =
              node.id === graph.nodes[0]?.id
                ? overlay.path.length > 0
                : [...overlay.taken].some((id) => id.includes(`->${node.id}#`));
            return (
              <div key={node.id} class={`node terminal${reached ? ' reached' : ''}`} style={position}>
                {node.type}
              </div>
            );
          }
          const lines = linesOf(node, run);
          return (
            <button
              type="button"
              key={node.id}
              class={`node state outcome-${run?.outcome ?? 'none'}${props.selected === node.id ? ' selected' : ''}`}
              style={position}
              aria-pressed={props.selected === node.id}
              data-state={node.id}
              data-outcome={run?.outcome ?? 'none'}
              title={node.comment}
              onClick={() => props.onSelect(node.id)}
            >
              <span class="node-name">{lines.name}</span>
              <span class="node-kind">{lines.kind}</span>
              {lines.stats ? <span class="node-stats">{lines.stats}</span> : null}
              {lines.retries ? <span class="node-retries">{lines.retries}</span> : null}
              {lines.error ? <span class="node-error">{lines.error}</span> : null}
            </button>
          );
        })}
      </div>
    </div>
  );
}
