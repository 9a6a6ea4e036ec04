import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { handleUploadEvent, type UploadEventResult } from '../lib/ingest/events.js';
import { ingestLogging } from '../lib/ingest/middleware.js';
import { observability } from '../lib/observability.js';
import { sfnExecutions } from '../lib/runtime/aws.js';
import { functionDeps } from '../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('on-upload', { executions: sfnExecutions });

/**
 * S3 upload trigger: EventBridge "Object Created" events or S3 notification records (also via
 * SQS) → one named ingest execution per upload; duplicates are no-ops.
 */
export const handler = middy<unknown, UploadEventResult, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler((event) => {
    const current = deps();
    return handleUploadEvent(event, { executions: current.executions, logger: current.logger });
  });
