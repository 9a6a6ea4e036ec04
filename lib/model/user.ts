// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity, type EntityItem } from 'electrodb';
import { type EntityConfig, SERVICE } from './service.js';

/**
 * The user entity, on the Python service's keys and attribute names: PK `user#<username
 * lower-cased>`, SK `PROFILE`, snake_case attributes. The PK template uses `casing: 'lower'` so
 * ElectroDB itself lower-cases the name in the key while the `username` attribute keeps the case
 * the person typed; every other template uses `casing: 'none'`.
 */
export function userEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'user', version: '1', service: SERVICE },
      attributes: {
        user_id: { type: 'number', required: true },
        username: { type: 'string', required: true, readOnly: true },
        email: { type: 'string' },
        hashed_password: { type: 'string', required: true },
        is_active: { type: 'boolean', required: true },
        is_admin: { type: 'boolean', required: true },
        created_at: { type: 'string', required: true, readOnly: true },
        updated_at: { type: 'string', required: true },
        yoto_refresh_token: { type: 'string' },
        yoto_access_token: { type: 'string' },
        yoto_token_expires_at: { type: 'string' },
        /** The Python service's Yoto refresh lease: owner id and ISO 8601 expiry. */
        yoto_token_lock_owner: { type: 'string' },
        yoto_token_lock_expires_at: { type: 'string' },
        /** Bumped by every revocation; absent on items written before it existed (reads as 0). */
        session_version: { type: 'number' },
      },
      indexes: {
        byName: {
          pk: { field: 'PK', composite: ['username'], template: 'user#${username}', casing: 'lower' },
          sk: { field: 'SK', composite: [], template: 'PROFILE', casing: 'none' },
        },
        list: {
          index: 'GSI1',
          pk: { field: 'GSI1PK', composite: [], template: 'USERS', casing: 'none' },
          sk: { field: 'GSI1SK', composite: ['username'], template: '${username}', casing: 'lower' },
        },
        byId: {
          index: 'GSI2',
          pk: { field: 'GSI2PK', composite: ['user_id'], template: 'USERID#${user_id}', casing: 'none' },
          sk: { field: 'GSI2SK', composite: [], template: 'PROFILE', casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type UserEntity = ReturnType<typeof userEntity>;
export type UserItem = EntityItem<UserEntity>;
