import type { S3Client } from '@aws-sdk/client-s3';
import { GoneError, NotFoundError } from '../errors.js';
import { EXTENSIONS } from '../ingest/media.js';
import { type AudioRecord, MAX_PAGE_SIZE, type Page, type SearchHit, type Store } from '../store/store.js';

/**
 * A file as the API shows it: the Python service's list entry (`filename, size, duration, url,
 * is_static, transcript: {status, has_transcript}`) with our metadata fields beside it. `url` is
 * the file's stream URL (signed unless PUBLIC_AUDIO). No file is one of the old bundled samples,
 * so `is_static` is always false.
 */
export function toAudioFile(record: AudioRecord, url: string) {
  const hasTranscript = record.transcript !== null || record.transcriptS3Key !== null;
  return {
    filename: record.filename,
    size: record.size,
    duration: record.duration,
    url,
    is_static: false as const,
    transcript: { status: record.transcriptStatus, has_transcript: hasTranscript },
    transcript_status: record.transcriptStatus,
    transcript_error: record.transcriptError,
    has_transcript: hasTranscript,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    transcribed_at: record.transcribedAt,
  };
}

/**
 * A search result: the file, with `transcript` the snippet around the matching word (a string, as
 * the Python service's search returned it) and what matched.
 */
export function toSearchResult(hit: SearchHit, url: string) {
  return { ...toAudioFile(hit, url), transcript: hit.snippet, matched: hit.matched };
}

export { UNPAGED_LIMIT } from './schemas.js';

/**
 * Up to `want` items from a store listing, asking for pages of at most MAX_PAGE_SIZE and
 * following its cursor (a search page may hold fewer than asked for); the cursor to continue
 * from, if there may be more.
 */
export async function collectPages<T>(
  fetch: (options: { limit: number; cursor?: string }) => Promise<Page<T>>,
  want: number,
  cursor: string | undefined,
): Promise<{ items: T[]; cursor: string | undefined }> {
  const items: T[] = [];
  let next = cursor;
  do {
    const page = await fetch({
      limit: Math.min(MAX_PAGE_SIZE, want - items.length),
      ...(next ? { cursor: next } : {}),
    });
    items.push(...page.items);
    next = page.cursor;
  } while (next && items.length < want);
  return { items, cursor: next };
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
