import type { S3Client } from '@aws-sdk/client-s3';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type Deps, deps, s3Of } from '../runtime.js';
import { transcriberOf } from './deps.js';
import type { Transcriber } from './ports.js';

/**
 * Middy middleware of the pipeline functions: adds the Lambda context to the process logger and
 * logs a failure once with its name (the name is what the state machine's Retry/Catch match)
 * before letting it propagate.
 */
export function ingestLogging(getDeps: () => Deps = deps): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    name: 'ingestLogging',
    before: ({ context }) => {
      if (context && typeof context.awsRequestId === 'string') getDeps().logger.addContext(context);
    },
    onError: ({ event, error }) => {
      if (error) {
        getDeps().logger.warn('Task failed', {
          ...uploadFields(event),
          errorName: error.name,
          errorMessage: error.message,
        });
      }
    },
  };
}

/**
 * The dependencies of one task invocation: the process-wide ones, with a child logger that tags
 * every line with the upload's key and execution (a child, not appendKeys on the shared logger,
 * because local mode runs many executions in one process).
 */
export function taskDeps(event: unknown, base: Deps = deps()): Deps {
  const fields = uploadFields(event);
  const logger = Object.keys(fields).length > 0 ? base.logger.createChild({ persistentKeys: fields }) : base.logger;
  return { ...base, logger };
}

/** Task deps plus the process's S3 client, for the tasks that read or write objects. */
export async function withS3<T extends Deps>(task: T, base: Deps = deps()): Promise<T & { s3: S3Client }> {
  return { ...task, s3: await s3Of(base) };
}

/** taskDeps plus the transcriber, created once per process on the shared deps (it keeps job state). */
export function transcribingDeps(event: unknown, base: Deps = deps()): Deps & { transcriber: Transcriber } {
  return { ...taskDeps(event, base), transcriber: transcriberOf(base) };
}

function uploadFields(event: unknown): Record<string, string> {
  if (!event || typeof event !== 'object') return {};
  const { key, execution } = event as { key?: unknown; execution?: unknown };
  const fields: Record<string, string> = {};
  if (typeof key === 'string') fields.key = key;
  if (typeof execution === 'string') fields.execution = execution;
  return fields;
}
