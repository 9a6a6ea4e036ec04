import { ConfigError } from '../errors.js';
import { type Deps, s3Of } from '../runtime.js';
import type { ExecutionStarter, Transcriber } from './ports.js';

/**
 * A port whose adapter (and its AWS SDK client) is imported on the first call, so each function
 * evaluates only the SDKs it uses: on-upload never loads Transcribe, the Tasks never load Step
 * Functions. The bundler turns the dynamic imports into lazily evaluated parts of the same file.
 */
function onFirstCall<T extends object>(methods: readonly (keyof T & string)[], open: () => Promise<T>): T {
  let opening: Promise<T> | undefined;
  const port: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of methods) {
    port[name] = async (...args) => {
      opening ??= open().catch((error: unknown) => {
        opening = undefined;
        throw error;
      });
      const adapter = await opening;
      return (adapter[name] as (...a: unknown[]) => Promise<unknown>).apply(adapter, args);
    };
  }
  return port as T;
}

/** The transcriber of these deps, created from TRANSCRIBER on first use (local mode installs its own). */
export function transcriberOf(deps: Deps): Transcriber {
  deps.transcriber ??= onFirstCall<Transcriber>(['start', 'check', 'fetchTranscript'], async () => {
    const [{ createTranscriber }, s3] = await Promise.all([import('../transcribe/transcriber.js'), s3Of(deps)]);
    return createTranscriber(deps.config, s3);
  });
  return deps.transcriber;
}

/** The execution starter of these deps: Step Functions on STATE_MACHINE_ARN unless one is installed. */
export function executionsOf(deps: Deps): ExecutionStarter {
  if (!deps.executions) {
    const arn = deps.config.STATE_MACHINE_ARN;
    if (!arn) {
      throw new ConfigError(
        'STATE_MACHINE_ARN: not set. Set it to the ingest state machine ARN (the CDK stack does), or run locally with `npm start`.',
      );
    }
    const region = deps.config.AWS_REGION;
    deps.executions = onFirstCall<ExecutionStarter>(['start', 'findRunning', 'stop'], async () => {
      const [{ SFNClient }, { SfnExecutionStarter }] = await Promise.all([
        import('@aws-sdk/client-sfn'),
        import('./sfn.js'),
      ]);
      return new SfnExecutionStarter(arn, new SFNClient({ region }));
    });
  }
  return deps.executions;
}
