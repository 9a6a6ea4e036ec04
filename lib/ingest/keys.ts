import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { UnsupportedMediaError } from '../errors.js';
import { normalizeSequencer } from '../store/common.js';
import { UndecodableKeyError } from './errors.js';

/**
 * Names derived from S3 keys: the decoded filename, the Step Functions execution name, the
 * Transcribe job name and the media format. All are pure functions so every retry and every
 * duplicate delivery of one upload derives the same names.
 */

/** Objects the pipeline writes into the audio bucket itself (transcripts); their events are not uploads. */
export const TRANSCRIPTS_PREFIX = 'transcripts/';

/** How a source spells object keys: classic S3 notifications URL-encode them, others do not. */
export type KeyEncoding = 'url' | 'raw';

/**
 * Decodes an event's object key exactly once. `url`: `+` is a space, then percent-decoding (so
 * `a%2Bb.mp3` → `a+b.mp3`); malformed percent-encoding is an UndecodableKeyError, never retried.
 */
export function decodeS3Key(raw: string, encoding: KeyEncoding): string {
  if (encoding === 'raw') return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new UndecodableKeyError(
      `undecodable key ${JSON.stringify(raw)}: the S3 event's key is not valid URL encoding, so the object cannot be found. Rename the object (avoid a bare "%") and upload it again.`,
    );
  }
}

/** Step Functions execution names: at most 80 characters of `[0-9A-Za-z_-]`. */
export const EXECUTION_NAME_MAX = 80;
const HASH_LENGTH = 12;

/** Readable ASCII slug of a key: accents dropped, every other run of symbols one `-`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^0-9A-Za-z]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Short hex digest of the parts, joined unambiguously. */
export function shortHash(parts: readonly (string | null | undefined)[], length = HASH_LENGTH): string {
  return createHash('sha256')
    .update(JSON.stringify(parts.map((part) => part ?? null)))
    .digest('hex')
    .slice(0, length);
}

/**
 * Deterministic, readable execution name of one upload: the slug of the key's tail plus a short
 * hash of bucket, key, sequencer and etag, so duplicate deliveries collide
 * (ExecutionAlreadyExists) and different uploads of one key do not. `suffix` marks a re-run.
 */
export function executionName(
  upload: { bucket: string; key: string; sequencer?: string | null; etag?: string | null },
  suffix?: string,
): string {
  // Both: real S3 gives one upload one sequencer, but a local endpoint may reuse a sequencer
  // (millisecond clock) for two uploads whose etags differ.
  const sequencer = normalizeSequencer(upload.sequencer);
  const extra = suffix ? `-${slugify(suffix)}` : '';
  const hash = shortHash([upload.bucket, upload.key, sequencer, unquoteEtag(upload.etag), suffix ?? null]);
  const room = EXECUTION_NAME_MAX - hash.length - 1 - extra.length;
  const slug = slugify(upload.key).slice(-room).replace(/^-+/, '') || 'upload';
  return `${slug}${extra}-${hash}`;
}

/** ETags arrive quoted from HeadObject and bare in events; compare them bare. */
export function unquoteEtag(etag: string | null | undefined): string | null {
  if (!etag) return null;
  return etag.replace(/^"+|"+$/g, '');
}

const JOB_NAME = /^[0-9a-zA-Z._-]{1,200}$/;

/**
 * Transcribe job name of one execution (job names are unique per account, 1–200 of
 * `[0-9a-zA-Z._-]`). Execution names already fit, so the job is named after its execution: a
 * retried task adopts its own job, and a re-run (a new execution) gets a new job.
 */
export function transcriptionJobName(input: { execution: string; bucket: string; key: string }): string {
  if (JOB_NAME.test(input.execution)) return input.execution;
  const slug = slugify(input.key).slice(-150).replace(/^-+/, '') || 'upload';
  return `${slug}-${shortHash([input.bucket, input.key, input.execution])}`;
}

/** Media formats AWS Transcribe accepts (and the local engine converts). */
export const SUPPORTED_FORMATS = ['amr', 'flac', 'm4a', 'mp3', 'mp4', 'ogg', 'webm', 'wav'] as const;
export type MediaFormat = (typeof SUPPORTED_FORMATS)[number];

const EXTENSION_ALIASES: Readonly<Record<string, MediaFormat>> = { oga: 'ogg', opus: 'ogg', wave: 'wav' };

const CONTENT_TYPES: Readonly<Record<string, MediaFormat>> = {
  'audio/amr': 'amr',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/mp4': 'm4a',
  'audio/m4a': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'application/ogg': 'ogg',
  'audio/webm': 'webm',
  'video/webm': 'webm',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/vnd.wave': 'wav',
};

/**
 * The media format of a key: its extension decides; a key without an extension falls back to the
 * content type. Anything else is an UnsupportedMediaError naming the supported formats.
 */
export function mediaFormat(key: string, contentType?: string | null): MediaFormat {
  const extension = extname(key).slice(1).toLowerCase();
  if (extension) {
    if ((SUPPORTED_FORMATS as readonly string[]).includes(extension)) return extension as MediaFormat;
    const alias = EXTENSION_ALIASES[extension];
    if (alias) return alias;
    throw unsupportedFormat(`".${extension}" files`);
  }
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  const byType = type ? CONTENT_TYPES[type] : undefined;
  if (byType) return byType;
  throw unsupportedFormat(type ? `content type ${type} without a file extension` : 'a file without an extension');
}

function unsupportedFormat(what: string): UnsupportedMediaError {
  return new UnsupportedMediaError(
    `Unsupported format: ${what} cannot be transcribed. Upload one of: ${SUPPORTED_FORMATS.join(', ')}.`,
  );
}
