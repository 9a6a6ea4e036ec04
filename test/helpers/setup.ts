import { NODE_MAJOR } from '../../stacks/node-version.js';

// The project runs on the Node major the Lambdas run (the `node` package puts it first on the
// PATH of every npm script); a run on another major tests something AWS does not run.
const major = Number(process.versions.node.split('.')[0]);
if (major !== NODE_MAJOR) {
  throw new Error(
    `Tests run on Node ${process.versions.node}, but the functions run on Node ${NODE_MAJOR}: run them with \`npm test\` (which uses the project's own Node ${NODE_MAJOR}), not with the machine's node.`,
  );
}

// Powertools Metrics print a CloudWatch EMF line per invocation on stdout; the tests that check
// them turn them back on (POWERTOOLS_METRICS_DISABLED=false) before their metrics are made.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
