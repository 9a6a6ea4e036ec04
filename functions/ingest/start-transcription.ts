import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, taskDeps } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import type { Registered } from '../../lib/ingest/register.js';
import { type JobRef, startTranscription } from '../../lib/ingest/transcription.js';
import { observability } from '../../lib/observability.js';
import { dynamoStore, s3Client, transcribeTranscriber } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('ingest/start-transcription', {
  store: dynamoStore,
  s3: s3Client,
  transcriber: transcribeTranscriber,
});

/** StartTranscription task: state in, `$.job` out. */
export const handler = middy<IngestInput & { registered?: Registered }, JobRef, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler((event) => startTranscription(event, taskDeps(event, deps())));
