import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** Any Lambda handler the functions export (a Middy handler is one). */
// biome-ignore lint/suspicious/noExplicitAny: handlers of every event type are invoked through here.
export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

export interface InvokeOptions {
  /** e.g. `ingest-register-upload`; shows up in logs and the context. */
  functionName: string;
  /**
   * The function's timeout (default 60 s): the handler sees it through getRemainingTimeInMillis,
   * and an invocation still running then fails `Sandbox.Timedout`, as Lambda reports it.
   */
  timeoutMs?: number;
  region?: string;
  /** The invocation's request id (API Gateway's, so logs correlate); a new one by default. */
  requestId?: string;
}

/**
 * A function error as Step Functions sees it: `name` is the Lambda error type the ASL
 * Retry/Catch match (`error.name` of what the function threw, or a `Lambda.*` service error),
 * and `message` is the Cause: the JSON error payload Lambda reports
 * (`{"errorType","errorMessage","trace"}`), or the plain message for a service error.
 */
export class LambdaInvocationError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    cause: string,
  ) {
    super(cause);
    this.name = errorType;
  }
}

/** A Lambda-like context: request id, function name, deadline. */
export function lambdaContext(options: InvokeOptions): Context {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const region = options.region ?? 'us-east-1';
  const unsupported = () => {
    throw new Error('Deprecated Lambda context callbacks are not supported; return or throw from the handler.');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${options.functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.requestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Invokes a handler the way the Lambda service does: the event and the result cross a JSON
 * boundary (so nothing but JSON leaks between states), a thrown error becomes a
 * LambdaInvocationError named by its error type, and an invocation over its timeout fails
 * `Sandbox.Timedout` (the handler's promise cannot be killed in-process: it is abandoned).
 */
export async function invokeLambda(handler: LambdaHandler, event: unknown, options: InvokeOptions): Promise<unknown> {
  const payload = JSON.parse(JSON.stringify(event ?? null));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timedOut = sandboxTimeout(timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timedOut), timeoutMs);
  });
  let result: unknown;
  try {
    result = await Promise.race([handler(payload, lambdaContext({ ...options, timeoutMs })), deadline]);
  } catch (error) {
    throw error === timedOut ? timedOut : toLambdaError(error);
  } finally {
    clearTimeout(timer);
  }
  return result === undefined ? null : JSON.parse(JSON.stringify(result));
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** What Step Functions records when a Lambda function runs past its timeout. */
function sandboxTimeout(timeoutMs: number): LambdaInvocationError {
  const message = `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
  return new LambdaInvocationError(
    'Sandbox.Timedout',
    message,
    JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: message }),
  );
}

/** Maps a thrown value to the error type and Cause that Step Functions would record. */
function toLambdaError(error: unknown): LambdaInvocationError {
  const err = error instanceof Error ? error : new Error(String(error));
  const errorType = err.name || 'Error';
  // Errors raised by the Lambda service itself (throttling, service faults) carry a plain Cause.
  if (errorType.startsWith('Lambda.')) return new LambdaInvocationError(errorType, err.message, err.message);
  const cause = JSON.stringify({
    errorType,
    errorMessage: err.message,
    trace: (err.stack ?? '').split('\n'),
  });
  return new LambdaInvocationError(errorType, err.message, cause);
}

/** The readable message inside a Step Functions Cause (the Lambda JSON payload or plain text). */
export function causeMessage(cause: unknown): string {
  if (typeof cause !== 'string') return cause === undefined || cause === null ? '' : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: a service error or a Fail state's Cause, already readable.
  }
  return cause;
}
