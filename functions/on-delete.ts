import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type DeleteEventResult, handleDeleteEvent } from '../lib/ingest/delete.js';
import { ingestLogging } from '../lib/ingest/middleware.js';
import { deps, s3Of } from '../lib/runtime.js';

/**
 * S3 object deleted (EventBridge "Object Deleted", or classic ObjectRemoved records locally) →
 * the row and the transcript object of that file are removed: the table follows the bucket.
 */
export const handler = middy<unknown, DeleteEventResult, Error, Context>()
  .use(ingestLogging())
  .handler(async (event) => {
    const current = deps();
    return handleDeleteEvent(event, { store: current.store, s3: await s3Of(current), logger: current.logger });
  });
