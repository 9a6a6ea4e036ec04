import { isDeepStrictEqual } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { audioEntity } from '../model/audio.js';
import { searchTermEntity, searchTermItems } from '../model/search.js';
import { userEntity } from '../model/user.js';
import { type AudioRow, parseDatetime, type UserRow } from './python-db.js';

/**
 * Builds items in the table's exact format with the same ElectroDB entities the store uses, so a
 * migrated or repaired item cannot differ from one the store writes (keys, GSI attributes,
 * `__edb_e__`/`__edb_v__` markers).
 */

export type Item = Record<string, unknown>;
export type Key = { PK: string; SK: string };

export interface ItemBuilders {
  user(row: Omit<UserRow, 'id'> | Item): Item;
  audio(row: Omit<AudioRow, 'id'> | Item): Item;
  /** The search-index items of one file: its filename's terms and its transcript's word prefixes. */
  suffixes(filename: string, transcript?: string | null): Item[];
}

const USER_FIELDS = [
  'user_id',
  'username',
  'email',
  'hashed_password',
  'is_active',
  'is_admin',
  'created_at',
  'updated_at',
  'yoto_access_token',
  'yoto_refresh_token',
  'yoto_token_expires_at',
] as const;
const AUDIO_FIELDS = [
  'filename',
  'size',
  'duration',
  'transcript',
  'transcript_status',
  'transcript_error',
  'created_at',
  'updated_at',
  'transcribed_at',
] as const;

/** The attributes a migration compares and writes: the source's fields plus keys and index attributes. */
export const SOURCE_FIELDS = { user: USER_FIELDS, audio: AUDIO_FIELDS } as const;

function pick(row: Item, fields: readonly string[]): Item {
  const out: Item = {};
  for (const field of fields) if (row[field] !== undefined && row[field] !== null) out[field] = row[field];
  return out;
}

/** Entity-backed item builders for one table (the client is never called: only `params()` is used). */
export function itemBuilders(table: string, client: DynamoDBClient): ItemBuilders {
  const users = userEntity({ table, client });
  const audio = audioEntity({ table, client });
  const terms = searchTermEntity({ table, client });
  return {
    user: (row) => users.put(pick(row as Item, USER_FIELDS) as never).params().Item as Item,
    audio: (row) => audio.put(pick(row as Item, AUDIO_FIELDS) as never).params().Item as Item,
    suffixes: (filename, transcript) =>
      searchTermItems(filename, transcript).map((s) => terms.put(s).params().Item as Item),
  };
}

export function keyOf(item: Item): Key {
  return { PK: String(item.PK), SK: String(item.SK) };
}

export function keyString(item: Item | Key): string {
  return `${String(item.PK)}\u0000${String(item.SK)}`;
}

/**
 * Whether the stored item already holds what the migration would write: every attribute of the
 * desired item, and no stale value of a source field the desired item leaves out (e.g. an email
 * that was removed). Attributes the source never had (version, etag…) are not compared.
 */
export function sameItem(existing: Item, desired: Item, sourceFields: readonly string[]): boolean {
  const names = new Set([...Object.keys(desired), ...sourceFields]);
  for (const name of names) {
    const want = desired[name] ?? null;
    const have = existing[name] ?? null;
    if (!isDeepStrictEqual(have, want)) return false;
  }
  return true;
}

/**
 * Whether the stored item is older than the source (so the migration may replace it): updated
 * strictly before it, compared as instants whatever the string format, or without a readable
 * updated_at at all. An equal time is not older: the table keeps what it has.
 */
export function isOlder(existing: Item, desired: Item): boolean {
  const have = typeof existing.updated_at === 'string' ? parseDatetime(existing.updated_at) : undefined;
  const want = typeof desired.updated_at === 'string' ? parseDatetime(desired.updated_at) : undefined;
  if (have === undefined) return true;
  return want !== undefined && have < want;
}
