import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type CaughtError, type Failed, markFailed } from '../../lib/ingest/fail.js';
import { ingestLogging, taskDeps, withS3 } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { observability } from '../../lib/observability.js';
import { dynamoStore, s3Client } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('ingest/mark-failed', { store: dynamoStore, s3: s3Client });

/** MarkFailed task: the Catch's `$.error` in, `$.failed` (the readable reason) out. */
export const handler = middy<IngestInput & { error?: CaughtError }, Failed, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler(async (event) => markFailed(event, await withS3(taskDeps(event, deps()))));
