import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ExecutionFailureResult, handleExecutionFailure } from '../lib/ingest/execution-failure.js';
import { ingestLogging } from '../lib/ingest/middleware.js';
import { observability } from '../lib/observability.js';
import { dynamoStore } from '../lib/runtime/aws.js';
import { functionDeps } from '../lib/runtime/lambda.js';

/** Its deps in Lambda: only the adapters it uses (local mode installs its own). */
const deps = functionDeps('on-execution-failed', { store: dynamoStore });

/**
 * EventBridge "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED) of the ingest
 * state machine → the upload's row marked `failed` if the execution left it pending/processing.
 */
export const handler = middy<unknown, ExecutionFailureResult, Error, Context>()
  .use(observability(deps))
  .use(ingestLogging(deps))
  .handler((event) => {
    const current = deps();
    return handleExecutionFailure(event, { store: current.store, logger: current.logger });
  });
