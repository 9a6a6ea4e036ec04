import type { Deps } from '../runtime.js';
import type { ExecutionStarter, Transcriber } from './ports.js';

/** The transcriber of these deps (built on its first call by the composition root, lib/runtime.ts). */
export function transcriberOf(deps: Deps): Transcriber {
  return deps.transcriber;
}

/** The execution starter of these deps: Step Functions on STATE_MACHINE_ARN in AWS, the local runner locally. */
export function executionsOf(deps: Deps): ExecutionStarter {
  return deps.executions;
}
