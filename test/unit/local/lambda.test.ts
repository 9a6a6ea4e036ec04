import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { invokeLambda, type LambdaInvocationError } from '../../../lib/local/lambda.js';

/** Keeps this thread busy for `ms`, as a loaded machine does between two turns of the event loop. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: LambdaInvocationError) => error,
  );

describe('invokeLambda: the function timeout', () => {
  it('fails a handler that never returns with Sandbox.Timedout at the timeout, as Lambda reports it', async () => {
    const failure = await failureOf(
      invokeLambda(() => new Promise(() => {}), {}, { functionName: 'f', timeoutMs: 50 }),
    );
    expect(failure?.errorType).toBe('Sandbox.Timedout');
    expect(failure?.message).toContain('Task timed out after 0.05 seconds');
  });

  it('lets Middy end the invocation first with its TimeoutError, even on a loaded event loop', async () => {
    // Middy arms its timer a turn of the loop later (after an async `before`), the invocation
    // starts late in a busy turn: the sandbox's timer, dated from the loop's cached clock, would
    // otherwise fire before the deadline the handler was given.
    const handler = middy()
      .before(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .handler(() => new Promise(() => {}));
    for (let attempt = 0; attempt < 5; attempt++) {
      await new Promise((resolve) => setImmediate(resolve));
      busy(40);
      const failure = await failureOf(invokeLambda(handler, {}, { functionName: 'f', timeoutMs: 200 }));
      expect(failure?.errorType, `attempt ${attempt}`).toBe('TimeoutError');
    }
  });
});
