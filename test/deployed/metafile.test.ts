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

/** The AWS SDK clients each function's bundle holds: those it calls (its IAM grants in stacks/ say the same). */
const CLIENTS: Record<string, string[]> = {
  'on-upload': ['client-sfn'],
  'ingest/register-upload': ['client-dynamodb', 'client-s3'],
  'ingest/start-transcription': ['client-dynamodb', 'client-s3', 'client-transcribe'],
  'ingest/check-transcription': ['client-s3', 'client-transcribe'],
  'ingest/complete-transcription': ['client-dynamodb', 'client-s3', 'client-transcribe'],
  // HeadObject: an upload whose registration failed gets its row only while its object exists.
  'ingest/mark-failed': ['client-dynamodb', 'client-s3'],
  // HeadObject (is the object back?) and DeleteObject of the transcript.
  'on-delete': ['client-dynamodb', 'client-s3'],
  // The execution input names the upload: the table only.
  'on-execution-failed': ['client-dynamodb'],
  'api/user': ['client-dynamodb'],
  'api/admin-users': ['client-dynamodb'],
  'api/audio': ['client-dynamodb', 'client-polly', 'client-s3', 'client-sfn'],
  // Never called: the OpenAPI document imports every route module, audio's S3 commands with them.
  'api/meta': ['client-s3'],
};

const inputs = bundleInputs();

describe('Lambda bundles (esbuild metafiles of the deployed build)', () => {
  it('cover every deployed function, each built from its handler through the AWS composition root', () => {
    expect([...inputs.keys()].sort()).toEqual(
      deployedFunctions()
        .map((fn) => fn.name)
        .sort(),
    );
    expect(Object.keys(CLIENTS).sort(), 'CLIENTS lists every function').toEqual([...inputs.keys()].sort());
    for (const [name, files] of inputs) {
      expect(files, name).toContain(`functions/${name}.ts`);
      expect(files, name).toContain('lib/runtime/aws.ts');
    }
    // The paths are project-relative: a package the pipeline does use is found by the same kind of pattern.
    expect(inputs.get('ingest/register-upload')?.some((file) => /node_modules\/@aws-sdk\/client-s3\//.test(file))).toBe(
      true,
    );
  });

  it.each(Object.entries(CLIENTS))('%s holds the SDK clients it calls and no other', (name, clients) => {
    const found = new Set(
      (inputs.get(name) ?? []).flatMap((file) => /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(file)?.[1] ?? []),
    );
    expect([...found].sort()).toEqual(clients);
  });

  it.each(LOCAL_ONLY)('no bundle contains %s', (_what, pattern) => {
    for (const [name, files] of inputs)
      expect(
        files.filter((file) => pattern.test(file)),
        name,
      ).toEqual([]);
  });
});
