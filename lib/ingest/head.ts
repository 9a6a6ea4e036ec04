import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyTransient } from './errors.js';
import { unquoteEtag } from './keys.js';

// Apart from ./probe.ts (the duration probe and its tokenizers): the functions that only ask
// whether an object exists (on-delete, MarkFailed, on-execution-failed, the API) need none of it.

/** What HeadObject tells about an upload. */
export interface ObjectHead {
  size: number;
  etag: string | null;
  contentType: string | null;
  /** The object's user metadata (`x-amz-meta-*`, names lower-cased). */
  metadata: Record<string, string>;
}

/** HeadObject; undefined when the object no longer exists (deleted after the event). */
export async function headObject(s3: S3Client, bucket: string, key: string): Promise<ObjectHead | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      size: head.ContentLength ?? 0,
      etag: unquoteEtag(head.ETag),
      contentType: head.ContentType ?? null,
      metadata: head.Metadata ?? {},
    };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound') return undefined;
    throw classifyTransient(error);
  }
}
