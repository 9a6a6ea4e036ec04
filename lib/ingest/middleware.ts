import type { S3Client } from '@aws-sdk/client-s3';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type Deps, s3Of } from '../runtime.js';

/**
 * Middy middleware of the pipeline functions: logs a failure once with its name (the name is
 * what the state machine's Retry/Catch match) before letting it propagate. (The Lambda context
 * on the logger comes from Powertools' injectLambdaContext, lib/observability.ts.)
 */
export function ingestLogging(getDeps: () => Deps): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    name: 'ingestLogging',
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
 * because local mode runs many executions in one process). Ports are shared with `base`.
 */
export function taskDeps(event: unknown, base: Deps): Deps {
  const fields = uploadFields(event);
  const logger = Object.keys(fields).length > 0 ? base.logger.createChild({ persistentKeys: fields }) : base.logger;
  return { ...base, logger };
}

/** Task deps plus the process's S3 client, for the tasks that read or write objects. */
export async function withS3<T extends Deps>(task: T): Promise<T & { s3: S3Client }> {
  return { ...task, s3: await s3Of(task) };
}

function uploadFields(event: unknown): Record<string, string> {
  if (!event || typeof event !== 'object') return {};
  const { key, execution } = event as { key?: unknown; execution?: unknown };
  const fields: Record<string, string> = {};
  if (typeof key === 'string') fields.key = key;
  if (typeof execution === 'string') fields.execution = execution;
  return fields;
}
