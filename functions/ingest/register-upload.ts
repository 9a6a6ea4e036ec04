import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, taskDeps, withS3 } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { type Registered, registerUpload } from '../../lib/ingest/register.js';

/** RegisterUpload task: state in, `$.registered` out. */
export const handler = middy<IngestInput, Registered, Error, Context>()
  .use(ingestLogging())
  .handler(async (event) => registerUpload(event, await withS3(taskDeps(event))));
