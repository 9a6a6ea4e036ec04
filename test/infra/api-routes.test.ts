import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/http/routes.js';
import { removeAssemblies, resourcesOf, type Synthesized, synthesize } from './synth.js';

/** The HTTP API's routes come from the route table: key forms and HEAD routes included. */
describe('HTTP API routes in the stack', () => {
  let dev: Synthesized;
  beforeAll(() => {
    dev = synthesize('dev');
  });
  afterAll(removeAssemblies);

  it('has exactly the route table’s routes, the key form of every per-file route among them', () => {
    const deployed = resourcesOf(dev.json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!.RouteKey as string);
    expect(deployed.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const key of ['GET /api/audio', 'GET /api/audio/transcript', 'DELETE /api/audio/transcript']) {
      expect(deployed).toContain(key);
    }
  });
});
