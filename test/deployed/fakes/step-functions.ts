import type { ExecutionStarter } from '../../../lib/ingest/ports.js';
import { type AwsJsonEndpoint, AwsJsonError, epochSeconds, startAwsJsonEndpoint } from './aws-json.js';

/**
 * The Step Functions API on loopback (AWS JSON 1.0, target prefix `AWSStepFunctions`), forwarding
 * StartExecution to the local runner of the ASL file. The bundles reach it through
 * `AWS_ENDPOINT_URL_SFN`.
 *
 * Shapes from the AWS Step Functions API reference, StartExecution (API_StartExecution.html):
 * request `{stateMachineArn, name, input}` (input a JSON string), response
 * `{"executionArn": "string", "startDate": number}`; a used name answers 400
 * ExecutionAlreadyExists, an unknown ARN 400 StateMachineDoesNotExist.
 */
export async function startStepFunctionsFake(options: {
  stateMachineArn: string;
  starter: Pick<ExecutionStarter, 'start'>;
}): Promise<AwsJsonEndpoint> {
  return startAwsJsonEndpoint({
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
        const started = await options.starter.start({ name, input: JSON.parse(String(request.input ?? '{}')) });
        const executionArn =
          started.executionArn ?? `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        if (!started.started) {
          throw new AwsJsonError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        }
        return { executionArn, startDate: epochSeconds() };
      },
    },
  });
}
