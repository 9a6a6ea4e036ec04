// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity, type EntityItem } from 'electrodb';
import { type EntityConfig, SERVICE } from './service.js';

/**
 * The audio entity, on the Python service's keys and attribute names: PK `AUDIO#<filename, case
 * kept>`, SK `METADATA`. `transcript_status` is a plain string here because rows written by the
 * Python service may hold legacy values (error/cancelled/disabled); the store normalizes on read
 * and builds its transition conditions from lib/model/status.ts.
 */
export function audioEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'audio', version: '1', service: SERVICE },
      attributes: {
        filename: { type: 'string', required: true, readOnly: true },
        size: { type: 'number', required: true },
        duration: { type: 'number' },
        transcript: { type: 'string' },
        transcript_status: { type: 'string', required: true },
        transcript_error: { type: 'string' },
        transcript_s3_key: { type: 'string' },
        created_at: { type: 'string', required: true },
        updated_at: { type: 'string', required: true },
        transcribed_at: { type: 'string' },
        etag: { type: 'string' },
        /** Normalized S3 sequencer of the recorded upload (see normalizeSequencer). */
        sequencer: { type: 'string' },
      },
      indexes: {
        byFilename: {
          pk: { field: 'PK', composite: ['filename'], template: 'AUDIO#${filename}', casing: 'none' },
          sk: { field: 'SK', composite: [], template: 'METADATA', casing: 'none' },
        },
        list: {
          index: 'GSI1',
          pk: { field: 'GSI1PK', composite: [], template: 'AUDIO', casing: 'none' },
          sk: { field: 'GSI1SK', composite: ['filename'], template: '${filename}', casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type AudioEntity = ReturnType<typeof audioEntity>;
export type AudioItem = EntityItem<AudioEntity>;
