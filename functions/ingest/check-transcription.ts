import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, taskDeps } from '../../lib/ingest/middleware.js';
import { type CheckResult, checkTranscription, type JobRef } from '../../lib/ingest/transcription.js';
import { observability } from '../../lib/observability.js';
import { s3Client, transcribeTranscriber } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('ingest/check-transcription', { s3: s3Client, transcriber: transcribeTranscriber });

/** CheckTranscription task: state in, `$.check` out (the attempt counter bounds the poll loop). */
export const handler = middy<{ job: JobRef; check?: Partial<CheckResult> }, CheckResult, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler((event) => {
    const current = taskDeps(event, deps());
    return checkTranscription(event, { ...current, maxAttempts: current.config.TRANSCRIPTION_MAX_CHECKS });
  });
