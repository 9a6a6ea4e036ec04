import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type CaughtError, type Failed, markFailed } from '../../lib/ingest/fail.js';
import { ingestLogging, taskDeps, withS3 } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';

/** MarkFailed task: the Catch's `$.error` in, `$.failed` (the readable reason) out. */
export const handler = middy<IngestInput & { error?: CaughtError }, Failed, Error, Context>()
  .use(ingestLogging())
  .handler(async (event) => markFailed(event, await withS3(taskDeps(event))));
