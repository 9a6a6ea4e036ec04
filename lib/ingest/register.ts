import type { Logger } from '@aws-lambda-powertools/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { StaleEventError, UnsupportedMediaError } from '../errors.js';
import type { AppMetrics } from '../observability.js';
import type { Store } from '../store/store.js';
import { UndecodableKeyError } from './errors.js';
import type { ObjectHead } from './head.js';
import { unquoteEtag } from './keys.js';
import { type MediaFormat, mediaFormat } from './media.js';
import type { IngestInput } from './ports.js';
import { type AudioProbe, probeAudio } from './probe.js';
import { resolveObject } from './resolve.js';

/**
 * User metadata of an object stored with its transcript (text to speech: the text is the
 * transcript). Its upload event ends quietly: there is nothing to transcribe, and registering it
 * would reset the `completed` row to `pending`.
 */
export const PROVIDED_TRANSCRIPT_METADATA = { transcript: 'provided' } as const;

/** Shortest audio AWS Transcribe accepts. */
export const MIN_DURATION_SECONDS = 0.5;

/** RegisterUpload's result, stored at `$.registered`. */
export interface Registered {
  /** The key the object is stored under (the ASL copies it to `$.key` for the later states). */
  key: string;
  /** True when this event must change nothing (older than the recorded upload, object gone). */
  stale: boolean;
  reason?: string;
  size?: number;
  /** Seconds, fractional. */
  duration?: number | null;
  mediaFormat?: MediaFormat;
}

export type RegisterDeps = {
  s3: S3Client;
  store: Store;
  config: Pick<Config, 'MAX_DURATION_SECONDS' | 'MAX_SIZE_BYTES'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  metrics?: Pick<AppMetrics, 'uploadRegistered'>;
};

/**
 * Records an upload: finds its key in S3 (each reading of the event's key in turn, see
 * resolve.ts), HeadObject, duration by ranged reads, validation, then the row as `pending` under
 * the key that exists. A file that is not usable audio still gets its row, then an
 * UnsupportedMediaError with the reason (the Catch marks the row failed) — before any
 * transcription starts. An event older than the recorded upload, or for an object replaced or
 * deleted since, ends the run quietly; a malformed key no object has is an UndecodableKeyError.
 */
export async function registerUpload(input: IngestInput, deps: RegisterDeps): Promise<Registered> {
  const found = await resolveObject(deps.s3, input);
  if (!found) {
    if (input.keyError) throw new UndecodableKeyError(input.keyError);
    return quiet(deps, input, input.key, 'the object no longer exists');
  }
  const { key, head } = found;
  if (input.etag && head.etag && unquoteEtag(input.etag) !== head.etag) {
    // The object was overwritten after this event; the newer upload's own event records it.
    return quiet(deps, input, key, 'the object was replaced by a newer upload');
  }

  if (head.metadata.transcript === PROVIDED_TRANSCRIPT_METADATA.transcript) {
    const row = await deps.store.getAudioFile(key);
    if (row?.transcriptStatus === 'completed' && row.size === head.size) {
      return quiet(deps, input, key, 'its transcript came with it (text to speech)');
    }
  }

  const checked = await inspect({ ...input, key }, head, deps);
  try {
    await deps.store.upsertAudioFile({
      filename: key,
      size: head.size,
      duration: checked.probe?.duration === undefined ? null : Math.round(checked.probe.duration),
      etag: head.etag,
      sequencer: input.sequencer,
    });
  } catch (error) {
    if (error instanceof StaleEventError) {
      return quiet(deps, input, key, 'a newer upload of this key is already recorded');
    }
    throw error;
  }
  if (checked.problem) throw new UnsupportedMediaError(checked.problem);
  deps.logger.info('Upload registered', {
    key,
    ...(key === input.key ? {} : { eventKey: input.eventKey }),
    size: head.size,
    duration: checked.probe?.duration,
    bytesFetched: checked.probe?.bytesFetched,
  });
  deps.metrics?.uploadRegistered();
  return { key, stale: false, size: head.size, duration: checked.probe?.duration ?? null, mediaFormat: checked.format };
}

function quiet(deps: RegisterDeps, input: IngestInput, key: string, reason: string): Registered {
  deps.logger.info('Event ignored', { key, sequencer: input.sequencer, reason });
  return { key, stale: true, reason };
}

interface Inspection {
  problem?: string;
  format?: MediaFormat;
  probe?: AudioProbe;
}

/** Cheap checks first (size, extension); the ranged reads only for files that pass them. */
async function inspect(input: IngestInput, head: ObjectHead, deps: RegisterDeps): Promise<Inspection> {
  const { MAX_SIZE_BYTES, MAX_DURATION_SECONDS } = deps.config;
  if (head.size === 0) return { problem: 'The file is empty (0 bytes): upload the audio file again.' };
  if (head.size > MAX_SIZE_BYTES) {
    return {
      problem: `The file is too large: ${formatBytes(head.size)}, the limit is ${formatBytes(MAX_SIZE_BYTES)}. Split or compress the audio and upload it again.`,
    };
  }
  let format: MediaFormat;
  try {
    format = mediaFormat(input.key, head.contentType);
  } catch (error) {
    if (error instanceof UnsupportedMediaError) return { problem: error.message };
    throw error;
  }
  const probe = await probeAudio(deps.s3, input.bucket, input.key);
  if (probe.duration === undefined) {
    return {
      format,
      probe,
      problem: `The file is not audio that can be read: it is named as ${format} but ${probe.problem ?? 'no audio was found'}. Upload a valid audio file.`,
    };
  }
  if (probe.duration < MIN_DURATION_SECONDS) {
    return {
      format,
      probe,
      problem: `The audio is too short: ${probe.duration.toFixed(2)} s, transcription needs at least ${MIN_DURATION_SECONDS} s.`,
    };
  }
  if (probe.duration > MAX_DURATION_SECONDS) {
    return {
      format,
      probe,
      problem: `The audio is too long: ${Math.round(probe.duration)} s, the limit is ${MAX_DURATION_SECONDS} s. Split it into shorter files.`,
    };
  }
  return { format, probe };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
