import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE, LAMBDA_RUNTIME, PROJECT_ROOT } from '../../stacks/constructs/app-function.js';
import { NODE_MAJOR } from '../../stacks/node-version.js';

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('one Node major everywhere', () => {
  it('runs these tests on the Node major Lambda runs', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(NODE_MAJOR);
  });

  it('deploys that major as the Lambda runtime and bundles for it', () => {
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${NODE_MAJOR}.x`);
    expect(BUNDLE.target).toBe(`node${NODE_MAJOR}`);
  });

  it('declares it in engines and installs it from the npm registry for every npm script', () => {
    expect(pkg.engines.node).toBe(`>=${NODE_MAJOR}`);
    expect(pkg.devDependencies.node?.split('.')[0]).toBe(String(NODE_MAJOR));
  });
});
