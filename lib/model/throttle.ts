// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity } from 'electrodb';
import { type EntityConfig, SERVICE } from './service.js';

/** The sort key every login-throttle counter item has. */
export const THROTTLE_SK = 'LOGIN';

/**
 * Login-throttle counters: one item per counter key (`account:<name>`, `address:<ip>`,
 * `pair:<ip>|<name>`, built by lib/auth/throttle.ts), PK `THROTTLE#<key>`, SK `LOGIN`. Written
 * with conditional UpdateItems (the state read must still be the state stored). `expires_at`
 * (epoch seconds, TABLE_DEFINITION.timeToLiveAttribute) lets the table's TTL delete a counter once
 * it has forgotten every failure. No GSI attributes, so the items never show up in user or audio
 * listings, counts or searches.
 */
export function loginFailureEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'loginThrottle', version: '2', service: SERVICE },
      attributes: {
        key: { type: 'string', required: true, readOnly: true },
        failures: { type: 'number', required: true },
        last_failure_at: { type: 'number', required: true },
        next_attempt_at: { type: 'number', required: true },
        expires_at: { type: 'number' },
      },
      indexes: {
        byKey: {
          pk: { field: 'PK', composite: ['key'], template: 'THROTTLE#${key}', casing: 'none' },
          sk: { field: 'SK', composite: [], template: THROTTLE_SK, casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type LoginFailureEntity = ReturnType<typeof loginFailureEntity>;
