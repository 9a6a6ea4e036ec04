import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type DeleteEventResult, handleDeleteEvent } from '../lib/ingest/delete-event.js';
import { ingestLogging } from '../lib/ingest/middleware.js';
import { observability } from '../lib/observability.js';
import { dynamoStore, s3Client } from '../lib/runtime/aws.js';
import { functionDeps } from '../lib/runtime/lambda.js';
import { s3Of } from '../lib/runtime.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('on-delete', { store: dynamoStore, s3: s3Client });

/**
 * S3 object deleted (EventBridge "Object Deleted", or classic ObjectRemoved records locally) →
 * the row and the transcript object of that file are removed: the table follows the bucket.
 */
export const handler = middy<unknown, DeleteEventResult, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler(async (event) => {
    const current = deps();
    return handleDeleteEvent(event, { store: current.store, s3: await s3Of(current), logger: current.logger });
  });
