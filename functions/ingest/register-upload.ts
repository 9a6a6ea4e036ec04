import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, taskDeps, withS3 } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { type Registered, registerUpload } from '../../lib/ingest/register.js';
import { observability } from '../../lib/observability.js';
import { dynamoStore, s3Client } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('ingest/register-upload', { store: dynamoStore, s3: s3Client });

/** RegisterUpload task: state in, `$.registered` out. */
export const handler = middy<IngestInput, Registered, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler(async (event) => registerUpload(event, await withS3(taskDeps(event, deps()))));
