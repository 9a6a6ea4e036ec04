import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { makeChunkedTokenizerFromS3 } from '@tokenizer/s3';
import { parseFromTokenizer } from 'music-metadata';
import { classifyTransient } from './errors.js';

export interface AudioProbe {
  /** Seconds (fractional); undefined when the bytes are not audio music-metadata can read. */
  duration: number | undefined;
  /** Container music-metadata recognised, e.g. "MPEG", "WAVE". */
  container: string | undefined;
  /** Why the bytes could not be read as audio, when they could not. */
  problem: string | undefined;
  /** Bytes downloaded to find the above (ranged reads, never the whole object). */
  bytesFetched: number;
}

/**
 * Finds the duration by ranged reads: music-metadata reads the headers it needs through
 * @tokenizer/s3's chunked tokenizer, so a 100 MB file costs a few KB of GETs.
 */
export async function probeAudio(s3: S3Client, bucket: string, key: string): Promise<AudioProbe> {
  let bytesFetched = 0;
  const counting = {
    send: async (command: GetObjectCommand, options?: { abortSignal?: AbortSignal }) => {
      const response = await s3.send(command, options);
      bytesFetched += response.ContentLength ?? 0;
      return response;
    },
  };
  try {
    const tokenizer = await makeChunkedTokenizerFromS3(counting, { Bucket: bucket, Key: key });
    try {
      const metadata = await parseFromTokenizer(tokenizer, { skipCovers: true });
      const { duration, container } = metadata.format;
      const readable = duration !== undefined && Number.isFinite(duration) && container !== undefined;
      return {
        duration: readable ? duration : undefined,
        container,
        problem: readable ? undefined : 'no audio stream with a duration was found in it',
        bytesFetched,
      };
    } finally {
      await tokenizer.close();
    }
  } catch (error) {
    const transient = classifyTransient(error);
    if (transient !== error) throw transient;
    return { duration: undefined, container: undefined, problem: (error as Error).message, bytesFetched };
  }
}
