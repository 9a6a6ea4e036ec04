import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects: `deployed` tests run what AWS runs (the bundles of one real synth, built once per
 * run by test/deployed/build.ts); everything else runs the source. The synth happens only when a
 * `deployed` test file is selected.
 */
const DEPLOYED = ['test/deployed/**/*.test.ts', 'test/infra/bundles.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'source', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...DEPLOYED] },
      },
      {
        extends: true,
        test: {
          name: 'deployed',
          include: DEPLOYED,
          globalSetup: ['test/deployed/build.ts'],
          // Bundle copies (test/deployed/bundles.ts) load through Node's own loader, as in Lambda.
          server: { deps: { external: [/\/deployed-bundle-[^/]+\/index\.mjs$/] } },
        },
      },
    ],
  },
});
