import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, transcribingDeps } from '../../lib/ingest/middleware.js';
import type { IngestInput } from '../../lib/ingest/ports.js';
import type { Registered } from '../../lib/ingest/register.js';
import { type JobRef, startTranscription } from '../../lib/ingest/transcription.js';

/** StartTranscription task: state in, `$.job` out. */
export const handler = middy<IngestInput & { registered?: Registered }, JobRef, Error, Context>()
  .use(ingestLogging())
  .handler((event) => startTranscription(event, transcribingDeps(event)));
