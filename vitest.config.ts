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
    // expect.poll waits for what a page or a pipeline does next; on two loaded cores a failed login
    // (padded to the slowest hash family) or a state transition can take longer than the 1 s default.
    expect: { poll: { timeout: 10_000 } },
    // `npm run coverage`: which source lines the suite runs (the deployed project runs bundles, so
    // it adds nothing here; the source project is what is measured).
    coverage: {
      provider: 'v8',
      include: ['lib/**', 'functions/**', 'stacks/**', 'web/src/**'],
      reporter: ['text-summary', 'html'],
    },
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
