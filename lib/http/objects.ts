import type { S3Client } from '@aws-sdk/client-s3';
import { ConflictError } from '../errors.js';
import { unquoteEtag } from '../ingest/keys.js';

/**
 * The API's S3 calls: presigned URLs (upload, stream) and writing a new object. The S3 modules
 * load on first use: the audio function's hot routes (list, search, metadata) never need them.
 */

export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

/** A stream redirect lives long enough to play the file through (range requests reuse it), 15 min to 12 h. */
const STREAM_REDIRECT_MIN_SECONDS = 15 * 60;
const STREAM_REDIRECT_MAX_SECONDS = 12 * 60 * 60;

/** Seconds a stream redirect to a file of `durationSeconds` is valid. */
export function streamRedirectTtl(durationSeconds: number | null): number {
  return Math.min(STREAM_REDIRECT_MAX_SECONDS, STREAM_REDIRECT_MIN_SECONDS + Math.max(0, durationSeconds ?? 0));
}

/**
 * A presigned S3 GET of one audio object, for the stream route's redirect; with the content type
 * the player needs when the object was stored without one (`aws s3 cp` guesses, others do not).
 */
export async function presignStream(
  s3: S3Client,
  input: { bucket: string; key: string; expiresIn: number; contentType?: string | undefined },
): Promise<string> {
  const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const command = new GetObjectCommand({
    Bucket: input.bucket,
    Key: input.key,
    ...(input.contentType ? { ResponseContentType: input.contentType } : {}),
  });
  return getSignedUrl(s3, command, { expiresIn: input.expiresIn });
}

/**
 * Writes an object that must not exist yet: `If-None-Match: *`, so of two racing writes S3 keeps
 * the first and refuses the second (412) — a ConflictError naming the key. (A local endpoint that
 * ignores the condition is covered by the caller's HeadObject check before.)
 */
export async function putNewObject(
  s3: S3Client,
  input: { bucket: string; key: string; body: Uint8Array; contentType: string; metadata?: Record<string, string> },
): Promise<{ etag: string | null }> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const result = await s3.send(
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: input.key,
        Body: input.body,
        ContentType: input.contentType,
        IfNoneMatch: '*',
        ...(input.metadata ? { Metadata: input.metadata } : {}),
      }),
    );
    return { etag: unquoteEtag(result.ETag) };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 412 || (error as Error).name === 'PreconditionFailed') throw existsError(input.key);
    throw error;
  }
}

/** The 409 for a name that is taken. */
export function existsError(key: string): ConflictError {
  return new ConflictError(`File '${key}' already exists. Please choose a different name.`);
}
/**
 * A presigned S3 PUT for one object; the signature binds the key and the content type. The S3
 * modules load on first use: the audio function's hot routes (list, search, metadata) never need them.
 */
export async function presignUpload(
  input: { filename: string; contentType: string },
  s3: S3Client,
  bucket: string,
): Promise<{ url: string; method: 'PUT'; headers: Record<string, string>; expires_in: number }> {
  const [{ PutObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const command = new PutObjectCommand({ Bucket: bucket, Key: input.filename, ContentType: input.contentType });
  // The SDK's default request checksum would sign the CRC32 of the *empty* body into the URL, and
  // S3 then rejects every real upload; the URL must not carry one.
  const omitChecksum =
    (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      for (const name of Object.keys(headers)) {
        if (/^x-amz-(checksum-|sdk-checksum-algorithm)/i.test(name)) delete headers[name];
      }
      return next(args);
    };
  command.middlewareStack.addRelativeTo(
    omitChecksum as unknown as Parameters<typeof command.middlewareStack.addRelativeTo>[0],
    { relation: 'after', toMiddleware: 'flexibleChecksumsMiddleware', name: 'omitPresignedChecksum' },
  );
  // Signing content-type binds the declared type: a PUT with another one fails the signature.
  const url = await getSignedUrl(s3, command, {
    expiresIn: UPLOAD_URL_TTL_SECONDS,
    signableHeaders: new Set(['content-type']),
  });
  return { url, method: 'PUT', headers: { 'Content-Type': input.contentType }, expires_in: UPLOAD_URL_TTL_SECONDS };
}
