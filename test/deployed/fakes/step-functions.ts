import type { ExecutionStarter } from '../../../lib/ingest/ports.js';
import { type AwsJsonEndpoint, AwsJsonError, epochSeconds, startAwsJsonEndpoint } from './aws-json.js';

/**
 * The Step Functions API on loopback (AWS JSON 1.0, target prefix `AWSStepFunctions`), forwarding
 * StartExecution to `starter` (the local runner of the ASL file, or a recorder) and keeping each
 * started execution, so the calls that find and stop runs answer as Step Functions does. The
 * bundles reach it through `AWS_ENDPOINT_URL_SFN`.
 *
 * Shapes from the AWS Step Functions API reference:
 * - StartExecution (API_StartExecution.html): request `{stateMachineArn, name, input}` (input a
 *   JSON string), response `{"executionArn": "string", "startDate": number}`; a used name answers
 *   400 ExecutionAlreadyExists, an unknown ARN 400 StateMachineDoesNotExist.
 * - ListExecutions (API_ListExecutions.html): request `{stateMachineArn, statusFilter?,
 *   maxResults?, nextToken?}`, response `{"executions": [{executionArn, stateMachineArn, name,
 *   status, startDate, stopDate?}], "nextToken"?}`.
 * - DescribeExecution (API_DescribeExecution.html): response `{executionArn, stateMachineArn,
 *   name, status, startDate, stopDate?, input, inputDetails: {included}, error?, cause?}`; an
 *   unknown ARN answers 400 ExecutionDoesNotExist.
 * - StopExecution (API_StopExecution.html): request `{executionArn, error?, cause?}`, response
 *   `{"stopDate": number}`; an unknown ARN answers 400 ExecutionDoesNotExist.
 */
export interface StepFunctionsFake extends AwsJsonEndpoint {
  /** The executions started through this endpoint, by ARN. */
  executions: Map<string, KeptExecution>;
}

interface KeptExecution {
  executionArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'ABORTED';
  startDate: number;
  stopDate?: number;
  error?: string;
  cause?: string;
}

export async function startStepFunctionsFake(options: {
  stateMachineArn: string;
  starter: Pick<ExecutionStarter, 'start'>;
}): Promise<StepFunctionsFake> {
  const executions = new Map<string, KeptExecution>();
  const known = (arn: unknown): KeptExecution => {
    const execution = executions.get(String(arn));
    if (!execution) throw new AwsJsonError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  };
  /** The fields ListExecutions and DescribeExecution both answer (the API reference's ExecutionListItem). */
  const summary = ({ executionArn, name, status, startDate, stopDate }: KeptExecution) => ({
    executionArn,
    stateMachineArn: options.stateMachineArn,
    name,
    status,
    startDate,
    ...(stopDate === undefined ? {} : { stopDate }),
  });
  const endpoint = await startAwsJsonEndpoint({
    targetPrefix: 'AWSStepFunctions',
    version: '1.0',
    operations: {
      StartExecution: async (request) => {
        if (request.stateMachineArn !== options.stateMachineArn) {
          throw new AwsJsonError(
            'StateMachineDoesNotExist',
            `State Machine Does Not Exist: '${request.stateMachineArn}'`,
          );
        }
        const name = String(request.name);
        const input = String(request.input ?? '{}');
        const started = await options.starter.start({ name, input: JSON.parse(input) });
        const executionArn =
          started.executionArn ?? `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        if (!started.started) {
          throw new AwsJsonError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        }
        const startDate = epochSeconds();
        executions.set(executionArn, { executionArn, name, input, status: 'RUNNING', startDate });
        return { executionArn, startDate };
      },
      ListExecutions: (request) => ({
        executions: [...executions.values()]
          .filter((e) => request.statusFilter === undefined || e.status === request.statusFilter)
          .map(summary),
      }),
      DescribeExecution: (request) => {
        const execution = known(request.executionArn);
        const { input, error, cause } = execution;
        return {
          ...summary(execution),
          input,
          inputDetails: { included: true },
          ...(error === undefined ? {} : { error }),
          ...(cause === undefined ? {} : { cause }),
        };
      },
      StopExecution: (request) => {
        const execution = known(request.executionArn);
        if (execution.status === 'RUNNING') {
          Object.assign(execution, {
            status: 'ABORTED',
            stopDate: epochSeconds(),
            ...(request.error === undefined ? {} : { error: String(request.error) }),
            ...(request.cause === undefined ? {} : { cause: String(request.cause) }),
          });
        }
        return { stopDate: execution.stopDate };
      },
    },
  });
  return { ...endpoint, executions };
}
