import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { removeAssemblies, synthesize } from './synth.js';

afterAll(removeAssemblies);

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'] as const)('%s synthesizes with zero unacknowledged findings', (environment) => {
    const { violations, stack } = synthesize(environment);
    expect(violations).toEqual([]);

    // Every acknowledgement names one rule (IAM5 findings one resource each) and says why.
    const acknowledgements = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>));
    expect(acknowledgements.length).toBeGreaterThan(20);
    for (const [id, value] of acknowledgements) {
      expect(id).toMatch(/AwsSolutions-(L1|SQS3|SMG4|DDB3|APIG4|IAM5\[Resource::.+\])$/);
      expect(JSON.stringify(value).length, `${id} has a specific reason`).toBeGreaterThan(60);
    }
    const ids = acknowledgements.map(([id]) => id);
    expect(ids.some((id) => id.endsWith('AwsSolutions-DDB3'))).toBe(environment === 'dev');
  });

  it('fails synth when a new finding appears', () => {
    expect(() =>
      synthesize('dev', {
        // A queue without TLS enforcement and without a DLQ: two findings nobody acknowledged.
        customize: (stack) => new Queue(stack, 'Unreviewed'),
      }),
    ).toThrow(/AwsSolutions-SQS(3|4)/);
  });
});
