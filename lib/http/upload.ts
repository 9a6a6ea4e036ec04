import { PayloadTooLargeError } from '../errors.js';
import { headObject } from '../ingest/head.js';
import { type Deps, s3Of } from '../runtime.js';
import { LARGE_UPLOAD_ROUTE, MAX_MULTIPART_BODY_BYTES } from './body.js';
import { existsError, putNewObject } from './objects.js';
import { uploadContentType, uploadName } from './upload-name.js';

/**
 * An upload through the API (`POST /api/audio/upload`): the file goes to S3 under its sanitized
 * name and the pipeline takes over from its S3 event, as for any other upload.
 */

export interface UploadInput {
  /** The name asked for (the form's `filename`), sanitized as the Python service did. */
  requested: string;
  part: { filename: string; mimetype: string; content: Buffer; truncated?: boolean | undefined };
}

/**
 * Stores an upload: refuses a name that exists (409), records the row as `pending` with its size
 * and duration, then writes the object (`If-None-Match: *`). The row comes first so the file is
 * listed at once and no pipeline write can come before it; if the object cannot be written, the
 * row it created goes again.
 */
export async function storeUpload(
  deps: Deps,
  input: UploadInput,
): Promise<{ filename: string; size: number; duration: number | null }> {
  const { part } = input;
  if (part.truncated) {
    throw new PayloadTooLargeError(
      `The file is over ${MAX_MULTIPART_BODY_BYTES} bytes, what an upload through the API can take; upload it to a presigned URL from ${LARGE_UPLOAD_ROUTE}.`,
    );
  }
  const { filename, format } = uploadName(input.requested, part);
  const bucket = deps.config.AUDIO_BUCKET;
  const s3 = await s3Of(deps);
  if (await headObject(s3, bucket, filename)) throw existsError(filename);

  const duration = await durationOf(part.content, part.mimetype);
  const existed = (await deps.store.getAudioFile(filename)) !== undefined;
  await deps.store.upsertAudioFile({ filename, size: part.content.length, duration });
  try {
    await putNewObject(s3, {
      bucket,
      key: filename,
      body: part.content,
      contentType: uploadContentType(format, part.mimetype),
    });
  } catch (error) {
    if (!existed) await deps.store.deleteAudioFile(filename).catch(() => undefined);
    throw error;
  }
  deps.logger.info('Upload stored', { key: filename, size: part.content.length, duration });
  return { filename, size: part.content.length, duration };
}

/** Whole seconds of audio in the bytes (music-metadata), null when it cannot tell: the pipeline checks the file again. */
async function durationOf(content: Buffer, mimetype: string): Promise<number | null> {
  try {
    const { parseBuffer } = await import('music-metadata');
    const { format } = await parseBuffer(content, { mimeType: mimetype, size: content.length }, { duration: true });
    return Number.isFinite(format.duration) ? Math.round(format.duration as number) : null;
  } catch {
    return null;
  }
}
