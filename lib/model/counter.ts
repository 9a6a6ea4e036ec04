// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity } from 'electrodb';
import { type EntityConfig, SERVICE } from './service.js';

/**
 * Atomic counters (PK `COUNTER#<name>`, SK `COUNTER`), changed with UpdateItem ADD: `user_id` (the
 * next user id) and `active_admins` (a lower bound of the active admins, lib/store/dynamo/admins.ts).
 */
export function counterEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'counter', version: '1', service: SERVICE },
      attributes: {
        name: { type: 'string', required: true },
        value: { type: 'number' },
      },
      indexes: {
        byName: {
          pk: { field: 'PK', composite: ['name'], template: 'COUNTER#${name}', casing: 'none' },
          sk: { field: 'SK', composite: [], template: 'COUNTER', casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type CounterEntity = ReturnType<typeof counterEntity>;
