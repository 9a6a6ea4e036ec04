import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployedFunctions } from './bundles.js';

/** esbuild's metafile: every input file (project-relative) that went into the bundle. */
interface Metafile {
  inputs: Record<string, { bytes: number }>;
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** The metafile each deployed bundle was built with (test/deployed/build.ts turns it on). */
export function metafileOf(dir: string): Metafile {
  return JSON.parse(readFileSync(join(dir, 'index.meta.json'), 'utf8')) as Metafile;
}

/**
 * The input files of each bundle's index.mjs, by function name: every file the bundler pulled
 * into it, also those it then tree-shook to nothing (they were reachable, which is what matters).
 */
export function bundleInputs(): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const fn of deployedFunctions()) {
    const meta = metafileOf(fn.dir);
    const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('index.mjs'));
    if (!output) throw new Error(`${fn.entry}: the metafile lists no index.mjs`);
    result.set(fn.name, Object.keys(output[1].inputs));
  }
  return result;
}
