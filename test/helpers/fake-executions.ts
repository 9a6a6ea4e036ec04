import type { ExecutionStarter, StartExecutionRequest, StopReason } from '../../lib/ingest/ports.js';

/**
 * An ExecutionStarter that runs nothing: started executions stay running until `finish` or
 * `stop`, with Step Functions' name rule (a used name is not started again). For API tests of
 * the routes that start, find and stop runs.
 */
export interface FakeExecutions extends ExecutionStarter {
  started: StartExecutionRequest[];
  stopped: { name: string; reason: StopReason }[];
  /** Ends an execution as if it finished on its own. */
  finish(name: string): void;
}

export function fakeExecutions(
  arnPrefix = 'arn:aws:states:us-east-1:111122223333:execution:ingest-audio:',
): FakeExecutions {
  const running = new Map<string, StartExecutionRequest>();
  const used = new Set<string>();
  const fake: FakeExecutions = {
    started: [],
    stopped: [],
    async start(request) {
      if (used.has(request.name)) return { started: false };
      used.add(request.name);
      running.set(request.name, request);
      fake.started.push(request);
      return { started: true, executionArn: arnPrefix + request.name };
    },
    async findRunning({ bucket, key }) {
      return [...running.values()]
        .filter((r) => r.input.bucket === bucket && (r.input.key === key || r.input.eventKey === key))
        .map((r) => ({ name: r.name, executionArn: arnPrefix + r.name }));
    },
    async stop(executionArn, reason) {
      const name = executionArn.slice(arnPrefix.length);
      if (!running.delete(name)) return false;
      fake.stopped.push({ name, reason });
      return true;
    },
    finish(name) {
      running.delete(name);
    },
  };
  return fake;
}
