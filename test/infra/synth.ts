import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../stacks/build.js';
import type { IngestStack } from '../../stacks/ingest-stack.js';

export interface Synthesized {
  stack: IngestStack;
  template: Template;
  json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }> };
  outdir: string;
  /** cdk-nag findings left in validation-report.json (empty when synth succeeded). */
  violations: { ruleName: string }[];
}

/**
 * Synthesizes one environment with cdk-nag on and bundling skipped (the bundle test builds the
 * real bundles). `customize` runs before synth, to add a resource the gate must reject.
 */
export function synthesize(
  environment: 'dev' | 'prod',
  options: { context?: Record<string, unknown>; customize?: (stack: IngestStack) => void } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), `infra-${environment}-`));
  outdirs.push(outdir);
  const { app, stack } = buildApp({
    outdir,
    context: { environment, 'aws:cdk:bundling-stacks': [], ...options.context },
  });
  options.customize?.(stack);
  const assembly = app.synth();
  const json = assembly.getStackByName(stack.stackName).template as Synthesized['json'];
  return { stack, template: Template.fromJSON(json), json, outdir, violations: readViolations(outdir) };
}

const outdirs: string[] = [];

/** Removes the cloud assemblies this process synthesized (call from afterAll). */
export function removeAssemblies(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The findings of every plugin in a cloud assembly's validation report. */
export function readViolations(outdir: string): { ruleName: string }[] {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: { ruleName: string }[] }[];
  };
  return report.pluginReports.flatMap((plugin) => plugin.violations);
}

/** Resources of one type, by logical id. */
export function resourcesOf(json: Synthesized['json'], type: string) {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}
