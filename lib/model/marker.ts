// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity } from 'electrodb';
import { type EntityConfig, SERVICE } from './service.js';

/**
 * One-time facts about the table (PK `MARKER#<name>`, SK `MARKER`), created conditionally and
 * never deleted: `admin_bootstrap` says the admin user was bootstrapped, so it is never created
 * again. No index attributes: markers appear in no listing.
 */
export function markerEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'marker', version: '1', service: SERVICE },
      attributes: {
        name: { type: 'string', required: true },
        created_at: { type: 'string', required: true },
      },
      indexes: {
        byName: {
          pk: { field: 'PK', composite: ['name'], template: 'MARKER#${name}', casing: 'none' },
          sk: { field: 'SK', composite: [], template: 'MARKER', casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type MarkerEntity = ReturnType<typeof markerEntity>;
