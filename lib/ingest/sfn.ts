import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mayNameExecutionOf } from './keys.js';
import type { ExecutionStarter, RunningExecution, StartExecutionRequest, StopReason } from './ports.js';

/** StopExecution's limits on `error` and `cause` (Step Functions API reference). */
const MAX_STOP_ERROR = 256;
const MAX_STOP_CAUSE = 32_768;

/**
 * ExecutionStarter on AWS Step Functions. StartExecution is idempotent for 90 days: the same
 * name with the same input while running returns the running execution; otherwise a used name is
 * ExecutionAlreadyExists, which means this upload was already handled.
 */
export class SfnExecutionStarter implements ExecutionStarter {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = new SFNClient({}),
  ) {}

  async start(request: StartExecutionRequest): Promise<{ started: boolean; executionArn?: string }> {
    try {
      const response = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: request.name,
          input: JSON.stringify(request.input),
        }),
      );
      return { started: true, ...(response.executionArn ? { executionArn: response.executionArn } : {}) };
    } catch (error) {
      if ((error as Error).name === 'ExecutionAlreadyExists') return { started: false };
      throw error;
    }
  }

  /**
   * ListExecutions (RUNNING, every page), narrowed by name to those executionName could have given
   * this key, then DescribeExecution of each candidate to compare its input's bucket and key. The
   * cost grows with the executions running, never with the table. Both calls are eventually
   * consistent: an execution started a moment ago may be missing.
   */
  async findRunning(upload: { bucket: string; key: string }): Promise<RunningExecution[]> {
    const candidates: RunningExecution[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListExecutionsCommand({
          stateMachineArn: this.stateMachineArn,
          statusFilter: 'RUNNING',
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const execution of page.executions ?? []) {
        if (execution.name && execution.executionArn && mayNameExecutionOf(execution.name, upload.key)) {
          candidates.push({ name: execution.name, executionArn: execution.executionArn });
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
    const found: RunningExecution[] = [];
    for (const candidate of candidates) {
      const described = await this.client.send(new DescribeExecutionCommand({ executionArn: candidate.executionArn }));
      if (described.status === 'RUNNING' && isInputOf(described.input, upload)) found.push(candidate);
    }
    return found;
  }

  /** StopExecution; an execution that no longer exists is reported as not stopped. */
  async stop(executionArn: string, reason: StopReason): Promise<boolean> {
    try {
      await this.client.send(
        new StopExecutionCommand({
          executionArn,
          error: reason.error.slice(0, MAX_STOP_ERROR),
          cause: reason.cause.slice(0, MAX_STOP_CAUSE),
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ExecutionDoesNotExist') return false;
      throw error;
    }
  }
}

/** Whether an execution's input (JSON) is of this upload: its bucket, and its key in either reading. */
function isInputOf(input: string | undefined, upload: { bucket: string; key: string }): boolean {
  try {
    const parsed = JSON.parse(input ?? '') as { bucket?: unknown; key?: unknown; eventKey?: unknown };
    return parsed.bucket === upload.bucket && (parsed.key === upload.key || parsed.eventKey === upload.key);
  } catch {
    return false;
  }
}
