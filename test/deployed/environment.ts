import { deployedFunctions } from './bundles.js';

/**
 * The environment the bundles run with, built the way Lambda gives it to them: the variables the
 * stack sets on each function (from the synthesized template), with the deploy-time tokens
 * (table and bucket names, ARNs) replaced by the local endpoints' values, plus the AWS SDK's own
 * variables for endpoints that have no project setting (`AWS_ENDPOINT_URL_<SERVICE>`).
 *
 * All bundles share one process here, so this is the union of their environments; a variable
 * two functions set differently fails the build of it.
 */
export function lambdaEnvironment(values: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const fn of deployedFunctions()) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (merged[name] !== undefined && merged[name] !== value && !(name in values)) {
        throw new Error(`${name} differs between functions (${merged[name]} vs ${value}); give it a value here.`);
      }
      merged[name] = value;
    }
  }
  // What the Lambda runtime itself sets, so the bundles take their Lambda paths (the Lambda
  // configuration schema, tracing on) as deployed. No trace header reaches them here: a missing
  // X-Ray context is ignored, as the SDK does when one is not sampled.
  const runtime = {
    AWS_LAMBDA_FUNCTION_NAME: 'audio-ingest-deployed-test',
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  };
  const environment: Record<string, string> = { ...runtime, ...merged, ...values };
  // Only what the runtime reads at invocation: NODE_OPTIONS is consumed when Lambda starts node.
  delete environment.NODE_OPTIONS;
  const unresolved = Object.entries(environment).filter(([, value]) => value.startsWith('synth-token-'));
  if (unresolved.length > 0) {
    throw new Error(
      `No local value for ${unresolved.map(([name]) => name).join(', ')}: pass one to lambdaEnvironment.`,
    );
  }
  return environment;
}

/** Sets variables on process.env for the bundles; returns the function that restores the old values. */
export function applyEnvironment(variables: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  set(variables);
  return () => set(previous);
}
