import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, taskDeps } from '../../lib/ingest/middleware.js';
import { type CheckResult, checkTranscription, type JobRef } from '../../lib/ingest/transcription.js';
import { observability } from '../../lib/observability.js';
import { deps } from '../../lib/runtime.js';

/** CheckTranscription task: state in, `$.check` out (the attempt counter bounds the poll loop). */
export const handler = middy<{ job: JobRef; check?: Partial<CheckResult> }, CheckResult, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler((event) => {
    const current = taskDeps(event, deps());
    return checkTranscription(event, { ...current, maxAttempts: current.config.TRANSCRIPTION_MAX_CHECKS });
  });
