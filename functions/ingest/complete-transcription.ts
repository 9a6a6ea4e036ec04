import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, transcribingDeps, withS3 } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import { type Completed, completeTranscription, type JobRef } from '../../lib/ingest/transcription.js';

/** CompleteTranscription task: state in, `$.completed` out (never the transcript itself). */
export const handler = middy<IngestInput & { job: JobRef }, Completed, Error, Context>()
  .use(ingestLogging())
  .handler(async (event) => completeTranscription(event, await withS3(transcribingDeps(event))));
