import { randomUUID } from 'node:crypto';
import { EXECUTION_STATUS_CHANGE, UNSUCCESSFUL_STATUSES } from '../ingest/execution-failure.js';
import type { ExecutionRecord } from './executions.js';

/** Whether an execution ended in a way the stack's status-change rule forwards (FAILED, TIMED_OUT, ABORTED). */
export function isUnsuccessful(record: ExecutionRecord): boolean {
  return (UNSUCCESSFUL_STATUSES as readonly string[]).includes(record.status);
}

/**
 * The EventBridge "Step Functions Execution Status Change" event Step Functions sends when an
 * execution ends, built from a local execution record in the documented shape (AWS Step Functions
 * Developer Guide, "EventBridge events for Step Functions execution status changes"; sample in
 * test/fixtures/events/sfn-execution-status-failed.json), so local mode calls the same function
 * with the same event as the stack's rule does.
 */
export function executionStatusEvent(record: ExecutionRecord, region = 'us-east-1'): Record<string, unknown> {
  const [, , , , account = '000000000000'] = record.executionArn.split(':');
  const stateMachineArn = record.executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]*$/, '');
  const stopped = record.stoppedAt ? Date.parse(record.stoppedAt) : null;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': EXECUTION_STATUS_CHANGE,
    source: 'aws.states',
    account,
    time: new Date(stopped ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [record.executionArn],
    detail: {
      executionArn: record.executionArn,
      stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: Date.parse(record.startedAt),
      stopDate: stopped,
      input: JSON.stringify(record.input),
      inputDetails: { included: true },
      output: record.output === undefined ? null : JSON.stringify(record.output),
      outputDetails: record.output === undefined ? null : { included: true },
      error: record.error ?? null,
      cause: record.cause ?? null,
    },
  };
}
