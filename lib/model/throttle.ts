// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity } from 'electrodb';
import { type EntityConfig, SERVICE } from './service.js';

/** The sort key of one window's counter: `MINUTE#<epoch minute>` or `HOUR#<epoch hour>`. */
export const windowKey = (kind: 'MINUTE' | 'HOUR', index: number): string => `${kind}#${index}`;

/**
 * Failed-login counters: one item per account and fixed window, PK `THROTTLE#<username
 * lower-cased>` (the caller lower-cases; the template keeps the case it is given), SK
 * `MINUTE#<epoch minute>` or `HOUR#<epoch hour>`, incremented with UpdateItem ADD. `expires_at`
 * (epoch seconds, TABLE_DEFINITION.timeToLiveAttribute) lets the table's TTL delete ended windows. No GSI attributes, so the items never show
 * up in user or audio listings, counts or searches.
 */
export function loginFailureEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'loginFailure', version: '1', service: SERVICE },
      attributes: {
        username: { type: 'string', required: true },
        window: { type: 'string', required: true },
        failures: { type: 'number' },
        expires_at: { type: 'number' },
      },
      indexes: {
        byWindow: {
          pk: { field: 'PK', composite: ['username'], template: 'THROTTLE#${username}', casing: 'none' },
          sk: { field: 'SK', composite: ['window'], template: '${window}', casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type LoginFailureEntity = ReturnType<typeof loginFailureEntity>;
