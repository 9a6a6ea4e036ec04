import { createRequire } from 'node:module';
import type { ELK as Elk } from 'elkjs/lib/elk-api.js';
import { expect, it } from 'vitest';
import { type Box, layoutGraph } from '../../../web/src/graph/layout.js';
import { stateGraph } from '../../../web/src/graph/model.js';
import { INGEST_ASL, pathTo } from '../../helpers/asl.js';

/** The same layout the browser runs in its worker, here with ELK in-process (its bundled CommonJS build). */
const ELK = createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as new () => Elk;
const graph = stateGraph(INGEST_ASL);

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

it('places every state of the ingest state machine without overlaps and routes every transition', async () => {
  const layout = await layoutGraph(new ELK(), graph, (id) =>
    id.startsWith('(') ? { width: 76, height: 30 } : { width: 236, height: 70 },
  );
  const boxes = graph.nodes.map((node) => [node.id, layout.nodes[node.id]] as const);
  for (const [id, box] of boxes) {
    expect(box, id).toBeDefined();
    expect(box!.x + box!.width).toBeLessThanOrEqual(layout.width);
    expect(box!.y + box!.height).toBeLessThanOrEqual(layout.height);
  }
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      expect(overlaps(boxes[i]![1]!, boxes[j]![1]!), `${boxes[i]![0]} overlaps ${boxes[j]![0]}`).toBe(false);
  expect(layout.edges.map((e) => e.edge.id).sort()).toEqual(graph.edges.map((e) => e.id).sort());
  for (const placed of layout.edges) expect(placed.d, placed.edge.id).toMatch(/^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+)+/);
  // Labelled transitions (choices, catches) keep their label.
  expect(layout.edges.find((e) => e.edge.from === 'IsNewUpload' && e.edge.to === 'Ignored')?.label?.text).toBe(
    'stale = true',
  );
});

it('reads the main path top to bottom: each step of it sits below the one before', async () => {
  const layout = await layoutGraph(new ELK(), graph, () => ({ width: 200, height: 60 }));
  // Up to the polling loop, which goes back up.
  const main = pathTo('WaitForTranscription');
  for (let i = 1; i < main.length; i++) {
    expect(layout.nodes[main[i]!]!.y, `${main[i]} below ${main[i - 1]}`).toBeGreaterThan(layout.nodes[main[i - 1]!]!.y);
  }
});
