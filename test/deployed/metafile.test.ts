import { describe, expect, it } from 'vitest';
import { deployedFunctions } from './bundles.js';
import { bundleInputs } from './metafile.js';

/**
 * What each Lambda bundle contains, from esbuild's metafile of the deployed build: the AWS entry
 * of the composition root only. Local mode's adapters and emulators never ship to Lambda.
 */
const LOCAL_ONLY: [string, RegExp][] = [
  ['the SQLite adapter', /^lib\/store\/sqlite\//],
  ['better-sqlite3', /(^|\/)node_modules\/better-sqlite3\//],
  ['s3rver', /(^|\/)node_modules\/s3rver\//],
  ['dynalite', /(^|\/)node_modules\/dynalite\//],
  ['aws-local-stepfunctions', /(^|\/)node_modules\/aws-local-stepfunctions\//],
  ['lib/local/**', /^lib\/local\//],
  ['the pocketsphinx adapter', /^lib\/transcribe\/pocketsphinx\.ts$/],
  ['the local composition root', /^lib\/runtime\/local\.ts$/],
  ["openStore's adapter choice", /^lib\/store\/index\.ts$/],
];

const inputs = bundleInputs();

describe('Lambda bundles (esbuild metafiles of the deployed build)', () => {
  it('cover every deployed function, each built from its handler through the AWS composition root', () => {
    expect([...inputs.keys()].sort()).toEqual(
      deployedFunctions()
        .map((fn) => fn.name)
        .sort(),
    );
    for (const [name, files] of inputs) {
      expect(files, name).toContain(`functions/${name}.ts`);
      expect(files, name).toContain('lib/runtime/aws.ts');
    }
    // The paths are project-relative: a package the pipeline does use is found by the same kind of pattern.
    expect(inputs.get('ingest/register-upload')?.some((file) => /node_modules\/@aws-sdk\/client-s3\//.test(file))).toBe(
      true,
    );
  });

  it.each(LOCAL_ONLY)('no bundle contains %s', (_what, pattern) => {
    for (const [name, files] of inputs)
      expect(
        files.filter((file) => pattern.test(file)),
        name,
      ).toEqual([]);
  });
});
