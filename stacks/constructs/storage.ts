import { Duration } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TRANSCRIPTS_PREFIX } from '../../lib/ingest/keys.js';
import { TABLE_DEFINITION, type TableDefinition } from '../../lib/model/table.js';
import type { EnvironmentSettings } from '../settings.js';

export { TRANSCRIPTS_PREFIX };

/**
 * The stateful part: the table (built from TABLE_DEFINITION, the same data `createTable` uses)
 * and the audio bucket with its access-log bucket.
 */
export class Storage extends Construct {
  readonly table: Table;
  readonly audioBucket: Bucket;
  readonly logBucket: Bucket;

  constructor(scope: Construct, id: string, settings: EnvironmentSettings) {
    super(scope, id);
    this.table = tableFromDefinition(this, 'Table', TABLE_DEFINITION, settings);

    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(settings.name === 'prod' ? 365 : 30) }],
      removalPolicy: settings.removalPolicy,
    });

    this.audioBucket = new Bucket(this, 'Audio', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // SSE-S3: Transcribe reads the media and writes transcripts with the caller's S3 permissions, no KMS grants.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'audio/',
      cors: settings.corsOrigins.length
        ? [
            {
              // Browsers PUT straight to S3 with the presigned URL from POST /api/audio/upload-url.
              allowedMethods: [HttpMethods.PUT],
              allowedOrigins: settings.corsOrigins,
              allowedHeaders: ['*'],
              exposedHeaders: ['ETag'],
              maxAge: 3000,
            },
          ]
        : undefined,
      // No expiration of transcripts/: a transcript object lives as long as its row, and is
      // deleted with it (lib/ingest/delete.ts, on an Object Deleted event or the API's delete).
      lifecycleRules: [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(2) }],
      removalPolicy: settings.removalPolicy,
    });
    // Native CloudFormation property: Bucket's `eventBridgeEnabled` would add a custom-resource
    // Lambda (with a managed policy) just to flip this switch.
    (this.audioBucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
  }
}

/** A DynamoDB table from the plain definition shared with the store's `createTable`. */
export function tableFromDefinition(
  scope: Construct,
  id: string,
  def: TableDefinition,
  settings: EnvironmentSettings,
): Table {
  if (def.billingMode !== 'PAY_PER_REQUEST') throw new Error(`Unsupported billing mode ${def.billingMode}`);
  const table = new Table(scope, id, {
    tableName: settings.prefix,
    partitionKey: attribute(def.partitionKey),
    sortKey: attribute(def.sortKey),
    billingMode: BillingMode.PAY_PER_REQUEST,
    ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: settings.pointInTimeRecovery },
    removalPolicy: settings.removalPolicy,
    deletionProtection: settings.name === 'prod',
  });
  for (const gsi of def.globalSecondaryIndexes) {
    const projection = gsi.projection;
    table.addGlobalSecondaryIndex({
      indexName: gsi.indexName,
      partitionKey: attribute(gsi.partitionKey),
      sortKey: attribute(gsi.sortKey),
      ...(typeof projection === 'string'
        ? { projectionType: projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY }
        : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projection.include] }),
    });
  }
  return table;
}

function attribute(key: { name: string; type: 'S' | 'N' }) {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}
