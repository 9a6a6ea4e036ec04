import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { executionsOf } from '../lib/ingest/deps.js';
import { handleUploadEvent, type UploadEventResult } from '../lib/ingest/events.js';
import { ingestLogging } from '../lib/ingest/middleware.js';
import { deps } from '../lib/runtime.js';

/**
 * S3 upload trigger: EventBridge "Object Created" events or S3 notification records (also via
 * SQS) → one named ingest execution per upload; duplicates are no-ops.
 */
export const handler = middy<unknown, UploadEventResult, Error, Context>()
  .use(ingestLogging())
  .handler((event) => {
    const current = deps();
    return handleUploadEvent(event, { executions: executionsOf(current), logger: current.logger });
  });
