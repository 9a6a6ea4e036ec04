import type { S3Client } from '@aws-sdk/client-s3';
import { GoneError, NotFoundError } from '../errors.js';
import { EXTENSIONS } from '../ingest/media.js';
import type { AudioRecord, Store } from '../store/store.js';

/** Audio metadata as the API shows it (snake_case, the Python service's shape). */
export function toAudioFile(record: AudioRecord) {
  return {
    filename: record.filename,
    size: record.size,
    duration: record.duration,
    transcript_status: record.transcriptStatus,
    transcript_error: record.transcriptError,
    has_transcript: record.transcript !== null || record.transcriptS3Key !== null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    transcribed_at: record.transcribedAt,
  };
}

/** The audio row or a 404 naming the file. */
export async function requireAudioFile(store: Store, filename: string): Promise<AudioRecord> {
  const record = await store.getAudioFile(filename);
  if (!record) throw new NotFoundError(`Audio file ${JSON.stringify(filename)} not found.`);
  return record;
}

/**
 * The transcript text: from the row, or from S3 when it was too large for the row (the client is
 * asked for only then, so the usual read never loads the S3 SDK). A row whose transcript object
 * is missing is a GoneError (410) saying how to get it back, never a 500.
 */
export async function readTranscript(
  record: AudioRecord,
  s3: () => Promise<S3Client>,
  bucket: string,
): Promise<string | null> {
  if (record.transcriptS3Key === null) return record.transcript;
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const object = await (await s3()).send(new GetObjectCommand({ Bucket: bucket, Key: record.transcriptS3Key }));
    return (await object.Body?.transformToString('utf-8')) ?? null;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name !== 'NoSuchKey' && status !== 404) throw error;
    throw new GoneError(
      `The transcript of ${JSON.stringify(record.filename)} is no longer stored (${record.transcriptS3Key} is missing from the bucket). Re-run the transcription: POST /api/audio/{filename}/transcribe.`,
    );
  }
}

/** Extensions a client may upload, with the content types it may declare: the pipeline's own media table. */
export const AUDIO_TYPES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(EXTENSIONS).map(([extension, { contentTypes }]) => [extension, contentTypes]),
);
export const AUDIO_CONTENT_TYPES = [...new Set(Object.values(AUDIO_TYPES).flat())];
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

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
