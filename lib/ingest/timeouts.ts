/**
 * Time limits of the pipeline's functions, shared by the CDK stack (each function's Lambda
 * timeout) and local mode (which fails an invocation past it `Sandbox.Timedout`, as Lambda does).
 * Every Task's TimeoutSeconds in the ASL is above TASK_FUNCTION_TIMEOUT_SECONDS, so the function's
 * own timeout normally fires first and the Task timeout is only a backstop for a lost invocation.
 */

/** The ingest Task functions: ranged reads of large media and Transcribe calls. */
export const TASK_FUNCTION_TIMEOUT_SECONDS = 60;

/** The event-driven functions (on-upload, on-delete, on-execution-failed). */
export const TRIGGER_FUNCTION_TIMEOUT_SECONDS = 30;
