import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One DynamoDB request as it went on the wire: operation name and JSON body. */
export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
}

export interface RequestCounter {
  readonly requests: RecordedRequest[];
  /** Operation names since the last reset, e.g. ['UpdateItem', 'BatchWriteItem']. */
  operations(): string[];
  reset(): void;
}

/**
 * Records every request a DynamoDB client sends (including those ElectroDB and the document
 * client send through it), read from the serialized HTTP request at the build step: once per
 * command, after marshalling, exactly what the server receives.
 */
export function countRequests(client: DynamoDBClient): RequestCounter {
  const requests: RecordedRequest[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const target = request.headers?.['x-amz-target'] ?? '';
      const operation = target.split('.').pop() ?? 'unknown';
      const raw = request.body;
      const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : '';
      if (!text) throw new Error(`request counter: cannot read the body of ${operation} (${typeof raw})`);
      const body = JSON.parse(text) as Record<string, unknown>;
      requests.push({ operation, body });
      return next(args);
    },
    { step: 'build', name: 'requestCounter', priority: 'low' },
  );
  return {
    requests,
    operations: () => requests.map((r) => r.operation),
    reset: () => {
      requests.length = 0;
    },
  };
}

const EXPRESSIONS = [
  'UpdateExpression',
  'ConditionExpression',
  'KeyConditionExpression',
  'FilterExpression',
  'ProjectionExpression',
] as const;

/**
 * The ExpressionAttributeValues (and Names) placeholders a request carries but no expression of
 * it uses — the seed's bug, which DynamoDB rejects ("Value provided in ExpressionAttributeValues
 * unused in expressions").
 */
export function unusedPlaceholders(body: Record<string, unknown>): string[] {
  const text = EXPRESSIONS.map((key) => body[key])
    .filter((v): v is string => typeof v === 'string')
    .join(' \n ');
  const placeholders = [
    ...Object.keys((body.ExpressionAttributeValues as Record<string, unknown> | undefined) ?? {}),
    ...Object.keys((body.ExpressionAttributeNames as Record<string, unknown> | undefined) ?? {}),
  ];
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return placeholders.filter((p) => !new RegExp(`${escapeRegExp(p)}(?![A-Za-z0-9_])`).test(text));
}
