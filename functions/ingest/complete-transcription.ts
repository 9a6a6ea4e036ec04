import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, taskDeps, withS3 } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { type Completed, completeTranscription, type JobRef } from '../../lib/ingest/transcription.js';
import { observability } from '../../lib/observability.js';
import { dynamoStore, s3Client, transcribeTranscriber } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('ingest/complete-transcription', {
  store: dynamoStore,
  s3: s3Client,
  transcriber: transcribeTranscriber,
});

/** CompleteTranscription task: state in, `$.completed` out (never the transcript itself). */
export const handler = middy<IngestInput & { job: JobRef }, Completed, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler(async (event) => completeTranscription(event, await withS3(taskDeps(event, deps()))));
