import {
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { describeAwsError } from '../../../lib/aws-errors.js';

const meta = { httpStatusCode: 400, requestId: 'R1', attempts: 3, totalRetryDelay: 120 };
const serviceError = (name: string, message: string) =>
  new DynamoDBServiceException({ name, $fault: 'client', $metadata: meta, message });

describe('describeAwsError', () => {
  const context = { table: 'audio-prod', region: 'eu-west-1', action: 'BatchWriteItem' };

  it('names the missing table, its region and the variables to set', () => {
    const error = new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: meta });
    const text = describeAwsError(error, context);
    expect(text).toMatch(/table "audio-prod" in region eu-west-1 was not found/);
    expect(text).toMatch(/DYNAMODB_TABLE=.*AWS_REGION=/);
    expect(text).toMatch(/create-table/);
  });

  it('finds the AWS error inside ElectroDB and store wrappers (cause chain)', () => {
    const aws = new ResourceNotFoundException({
      message: 'Cannot do operations on a non-existent table',
      $metadata: meta,
    });
    const electro = Object.assign(
      new Error('Error thrown by DynamoDB client: "Cannot do operations…"', { cause: aws }),
      {
        isElectroError: true,
      },
    );
    const outer = new Error('store failed', { cause: electro });
    expect(describeAwsError(outer, context)).toMatch(/was not found/);
  });

  it('explains missing credentials (CredentialsProviderError as the SDK throws it)', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
      tryNextLink: false,
    });
    expect(describeAwsError(error, context)).toMatch(/No AWS credentials found .* AWS_PROFILE .* AWS_ACCESS_KEY_ID/);
  });

  it('explains rejected credentials', () => {
    const error = serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    expect(describeAwsError(error, context)).toMatch(
      /rejected the credentials .*UnrecognizedClientException.*aws sso login/,
    );
    expect(
      describeAwsError(
        serviceError('ExpiredTokenException', 'The security token included in the request is expired'),
        context,
      ),
    ).toMatch(/rejected the credentials/);
  });

  it('names the denied action, the principal and the resource from the message', () => {
    const error = serviceError(
      'AccessDeniedException',
      'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: dynamodb:BatchWriteItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/audio-prod because no identity-based policy allows the dynamodb:BatchWriteItem action',
    );
    const text = describeAwsError(error, context);
    expect(text).toContain(
      'arn:aws:iam::123456789012:user/dev may not perform dynamodb:BatchWriteItem on arn:aws:dynamodb:eu-west-1:123456789012:table/audio-prod',
    );
    expect(text).toMatch(/Grant dynamodb:BatchWriteItem/);
  });

  it('falls back to the action from the context when the message does not say', () => {
    expect(describeAwsError(serviceError('AccessDeniedException', 'Access denied'), context)).toMatch(
      /may not perform dynamodb:BatchWriteItem on table "audio-prod"/,
    );
  });

  it('reports throttling after retries with what to do', () => {
    const error = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: meta });
    expect(describeAwsError(error, context)).toMatch(/throttled BatchWriteItem .*resumes.*--concurrency/);
  });

  it('explains an unreachable endpoint (ECONNREFUSED as the SDK throws it)', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), {
      errno: -111,
      code: 'ECONNREFUSED',
      syscall: 'connect',
      $metadata: { attempts: 1 },
    });
    expect(describeAwsError(error, { ...context, endpoint: 'http://127.0.0.1:8000' })).toMatch(
      /Cannot reach DynamoDB at http:\/\/127\.0\.0\.1:8000 .*ECONNREFUSED.*DYNAMODB_ENDPOINT/,
    );
  });

  it('explains a table without the expected indexes', () => {
    const error = serviceError('ValidationException', 'The table does not have the specified index: GSI2');
    expect(describeAwsError(error, context)).toMatch(/lacks an index .*GSI2.*create-table/);
  });

  it('returns undefined for errors it does not know, so callers rethrow them', () => {
    expect(describeAwsError(new Error('something else'), context)).toBeUndefined();
    expect(
      describeAwsError(serviceError('ValidationException', 'One or more parameter values were invalid'), context),
    ).toBeUndefined();
    expect(describeAwsError(undefined)).toBeUndefined();
  });
});
