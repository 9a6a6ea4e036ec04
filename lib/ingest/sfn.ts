import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionStarter, StartExecutionRequest } from './ports.js';

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
}
