import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import { createS3Client } from '../s3-client.js';

/** What an s3rver `'event'` carries: an S3 notification whose keys are NOT URL-encoded. */
export interface LocalS3Event {
  Records: S3EventRecord[];
}

export interface LocalS3Options {
  /** 0 picks a free port (tests); local mode uses S3_PORT (4569). */
  port?: number;
  /** Buckets live in `<dataDir>/s3`. */
  dataDir: string;
  bucket: string;
  region?: string;
  /** Called for every object event, in the order s3rver emits them. */
  onEvent?: (event: LocalS3Event) => void;
}

export interface LocalS3 {
  /** `http://127.0.0.1:<port>`, for S3_ENDPOINT and presigned URLs. */
  endpoint: string;
  port: number;
  bucket: string;
  /** A client configured for s3rver (path-style, no streaming checksums). */
  client(): S3Client;
  close(): Promise<void>;
}

/**
 * Lets a browser PUT to a presigned URL from the local web page and read back the ETag, as the
 * bucket's CORS rules do in AWS.
 */
const CORS_CONFIGURATION = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * s3rver only knows the access key `S3RVER`; a developer's `aws --endpoint-url … s3 cp` signs with
 * their own profile's key. The endpoint listens on 127.0.0.1 only, so any key maps to the one
 * local account (s3rver does not verify SigV4 signatures either).
 */
function acceptAnyAccessKey(): void {
  const registry = AWSAccount.registry;
  if ((registry as { anyKey?: boolean }).anyKey) return;
  const known = registry.get.bind(registry);
  registry.get = (accessKeyId: string) => known(accessKeyId) ?? AWSAccount.DUMMY_ACCOUNT;
  (registry as { anyKey?: boolean }).anyKey = true;
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`S3 port ${port} is already in use: stop the other process or set S3_PORT to a free port.`)
          : error,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * Starts s3rver (the real S3 wire protocol, objects on disk under `<dataDir>/s3`) on 127.0.0.1
 * with the audio bucket and CORS configured. Its object events go to `onEvent`.
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  acceptAnyAccessKey();
  const directory = resolve(options.dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 4569,
    silent: true,
    directory,
    // Path-style URLs only: `audio.localhost` virtual hosts do not resolve everywhere.
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket, configs: [CORS_CONFIGURATION] }],
  });
  if (options.onEvent) server.on('event', options.onEvent);
  // s3rver's run() never settles when the port is taken (the error is emitted, not returned).
  if (options.port) await assertPortFree(options.port);
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const region = options.region ?? 'us-east-1';
  return {
    endpoint,
    port: address.port,
    bucket: options.bucket,
    client: () => createS3Client({ AWS_REGION: region, S3_ENDPOINT: endpoint }),
    close: async () => {
      server.removeAllListeners('event');
      await server.close();
    },
  };
}
