import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ingestLogging, transcribingDeps } from '../../lib/ingest/middleware.js';
import { type CheckResult, checkTranscription, type JobRef } from '../../lib/ingest/transcription.js';

/** CheckTranscription task: state in, `$.check` out (the attempt counter bounds the poll loop). */
export const handler = middy<{ job: JobRef; check?: Partial<CheckResult> }, CheckResult, Error, Context>()
  .use(ingestLogging())
  .handler((event) => {
    const current = transcribingDeps(event);
    return checkTranscription(event, { ...current, maxAttempts: current.config.TRANSCRIPTION_MAX_CHECKS });
  });
