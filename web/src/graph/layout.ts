import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { GraphEdge, StateGraph } from './model.js';

/**
 * Places the state graph with ELK's layered (Sugiyama) algorithm: states top to bottom in the
 * order they run, loops and Catch edges routed around them, orthogonal edges, labelled choices.
 * The ELK instance is passed in: the browser runs it in a Web Worker, the tests in-process.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  edge: GraphEdge;
  /** SVG path data of the routed edge. */
  d: string;
  label?: Box & { text: string };
}

export interface Layout {
  width: number;
  height: number;
  nodes: Record<string, Box>;
  edges: PlacedEdge[];
}

/** Each node's size, measured by the caller from what it will draw in it. */
export type Measure = (id: string) => { width: number; height: number };

const LABEL_CHAR_WIDTH = 6.6;
const LABEL_HEIGHT = 16;

/** Lays out every node and edge of `graph`; nodes sized by `measure`. */
export async function layoutGraph(elk: ELK, graph: StateGraph, measure: Measure): Promise<Layout> {
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      // Nodes come in definition order: a transition back to an earlier state (a polling loop)
      // is the one drawn upwards, so the main path reads top to bottom.
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: graph.nodes.map((node) => ({ id: node.id, ...measure(node.id) })),
    edges: graph.edges.map(
      (edge): ElkExtendedEdge => ({
        id: edge.id,
        sources: [edge.from],
        targets: [edge.to],
        ...(edge.label
          ? {
              labels: [
                {
                  text: edge.label,
                  width: Math.ceil(edge.label.length * LABEL_CHAR_WIDTH) + 8,
                  height: LABEL_HEIGHT,
                },
              ],
            }
          : {}),
      }),
    ),
  };
  const placed = await elk.layout(root);
  const nodes: Record<string, Box> = {};
  for (const child of placed.children ?? []) {
    nodes[child.id] = { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 };
  }
  const byId = new Map(graph.edges.map((edge) => [edge.id, edge]));
  const edges: PlacedEdge[] = [];
  for (const routed of (placed.edges ?? []) as ElkExtendedEdge[]) {
    const edge = byId.get(routed.id);
    if (!edge) continue;
    const d = (routed.sections ?? [])
      .map((section) =>
        [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
          .map((point, i) => `${i === 0 ? 'M' : 'L'}${round(point.x)} ${round(point.y)}`)
          .join(' '),
      )
      .join(' ');
    const label = routed.labels?.[0];
    edges.push({
      edge,
      d,
      ...(label?.text
        ? {
            label: {
              text: label.text,
              x: label.x ?? 0,
              y: label.y ?? 0,
              width: label.width ?? 0,
              height: label.height ?? 0,
            },
          }
        : {}),
    });
  }
  return { width: Math.ceil(placed.width ?? 0), height: Math.ceil(placed.height ?? 0), nodes, edges };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
