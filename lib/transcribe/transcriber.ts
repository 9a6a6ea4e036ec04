import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { TranscribeClient } from '@aws-sdk/client-transcribe';
import type { Config } from '../config.js';
import type { Transcriber } from '../ingest/ports.js';
import { AwsTranscriber } from './aws.js';
import { PocketsphinxTranscriber } from './pocketsphinx.js';

export type { Transcriber, TranscriptionJob, TranscriptionJobState } from '../ingest/ports.js';

/** The transcriber TRANSCRIBER asks for: `aws` (Transcribe) or `local` (pocketsphinx). */
export function createTranscriber(
  config: Pick<Config, 'TRANSCRIBER' | 'AWS_REGION' | 'AUDIO_BUCKET' | 'TRANSCRIBE_LANGUAGE_CODE' | 'DATA_DIR'>,
  s3: S3Client,
): Transcriber {
  if (config.TRANSCRIBER === 'aws') {
    return new AwsTranscriber({
      transcribe: new TranscribeClient({ region: config.AWS_REGION }),
      s3,
      outputBucket: config.AUDIO_BUCKET,
      languageCode: config.TRANSCRIBE_LANGUAGE_CODE,
    });
  }
  // Job results live beside the local database, so a fresh DATA_DIR never adopts an old job.
  return new PocketsphinxTranscriber({ s3, workDir: resolve(config.DATA_DIR, 'transcriber') });
}
