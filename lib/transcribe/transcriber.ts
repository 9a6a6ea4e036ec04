import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import type { Transcriber } from '../ingest/ports.js';
import { PocketsphinxTranscriber } from './pocketsphinx.js';

export type { Transcriber, TranscriptionJob, TranscriptionJobState } from '../ingest/ports.js';

/**
 * The local transcriber (pocketsphinx), for the local composition root; the AWS one (Transcribe)
 * is built by lib/runtime/aws.ts, so no Lambda bundle carries this adapter.
 */
export function createLocalTranscriber(config: Pick<Config, 'DATA_DIR'>, s3: S3Client): Transcriber {
  // Job results live beside the local database, so a fresh DATA_DIR never adopts an old job.
  return new PocketsphinxTranscriber({ s3, workDir: resolve(config.DATA_DIR, 'transcriber') });
}
