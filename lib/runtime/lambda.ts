import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { type Adapters, composeDeps, type Deps, deps, setDefaultDeps } from '../runtime.js';
import { observability } from './aws.js';

/**
 * The entry point of the composition root for functions/**: each function names the AWS
 * adapters (./aws.ts) it uses, and only those (and their SDKs) end up in its bundle.
 */

type Port = Exclude<keyof Adapters, 'observability'>;

/**
 * For functions/<name>.ts, at import: its deps in Lambda, built from the environment with only the
 * adapters it names, and registered as deps()'s default (local mode and tests install their own
 * with setDeps, which win). A port the function did not name fails on use with an error saying so.
 */
export function functionDeps(name: string, adapters: Partial<Pick<Adapters, Port>>): () => Deps {
  const missing = (port: Port) => async () => {
    throw new ConfigError(
      `functions/${name}.ts does not use the ${port} port; name its adapter in functionDeps there.`,
    );
  };
  setDefaultDeps(() =>
    composeDeps(
      loadConfig(),
      {},
      {
        observability,
        store: missing('store'),
        s3: missing('s3'),
        transcriber: missing('transcriber'),
        executions: missing('executions'),
        synthesizer: missing('synthesizer'),
        ...adapters,
      },
    ),
  );
  return deps;
}
