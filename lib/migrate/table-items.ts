import { legacyStatusError, normalizeStatus } from '../model/status.js';
import type { Item, ItemBuilders } from './items.js';
import { normalizeLegacyAudio, normalizeLegacyUser } from './legacy-items.js';
import { toIso } from './python-db.js';
import type { Entity } from './writer.js';

/**
 * Turns the items of a DynamoDB table written by the Python service (or by this project) into the
 * items our table holds: users under `user#<name>` or the old script's `USER#<Name>`, audio under
 * `AUDIO#<filename>`, with keys, index attributes and markers from the store's own entities,
 * timestamps as ISO 8601 UTC and legacy statuses as `failed` (the old value in transcript_error),
 * like the SQLite migration. Every other attribute of the item (the Yoto tokens and their lease,
 * the pipeline's sequencer, etag, transcript pointer…) is carried over unchanged.
 */

/** What a source item is. Search-index items, counters and throttle counters are derived data. */
export type SourceKind = Entity | 'search-index' | 'counter' | 'throttle' | 'other';

export function kindOf(item: Item): SourceKind {
  const pk = String(item.PK ?? '');
  const sk = String(item.SK ?? '');
  if (sk === 'PROFILE' && /^user#/i.test(pk)) return 'user';
  if (sk === 'METADATA' && pk.startsWith('AUDIO#')) return 'audio';
  if (pk.startsWith('AUDIO#') && sk.startsWith('SUFFIX#')) return 'search-index';
  if (pk.startsWith('COUNTER#')) return 'counter';
  if (pk.startsWith('THROTTLE#')) return 'throttle';
  return 'other';
}

/** Attributes the builders derive (keys, GSI keys, ElectroDB markers): never copied from the source. */
const DERIVED = /^(PK|SK|GSI\d+(PK|SK)|__edb_[ev]__)$/;
const DATETIMES = {
  user: ['created_at', 'updated_at', 'yoto_token_expires_at'],
  audio: ['created_at', 'updated_at', 'transcribed_at'],
} as const;

export type Converted = { ok: true; item: Item } | { ok: false; reason: string };

/** The target item for a user or audio source item, or the reason it cannot be migrated. */
export function convertTableItem(entity: Entity, source: Item, builders: ItemBuilders): Converted {
  const normalized = entity === 'user' ? normalizeLegacyUser(source) : normalizeLegacyAudio(source);
  if (!normalized.ok) return normalized;
  const record: Item = { ...normalized.record };
  try {
    for (const field of DATETIMES[entity]) {
      const iso = toIso(record[field], field);
      if (iso === undefined) delete record[field];
      else record[field] = iso;
    }
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (entity === 'audio') {
    const { status, legacy } = normalizeStatus(record.transcript_status);
    record.transcript_status = status;
    if (legacy) record.transcript_error = legacyStatusError(legacy, record.transcript_error as string | undefined);
  }
  const built = entity === 'user' ? builders.user(record) : builders.audio(record);
  const extras: Item = {};
  for (const [name, value] of Object.entries(record)) {
    if (!DERIVED.test(name) && !(name in built) && value !== null && value !== undefined) extras[name] = value;
  }
  return { ok: true, item: { ...extras, ...built } };
}

/** `user#<name lower-cased>` for a legacy `USER#<Name>` key (where the canonical copy would live). */
export function canonicalUserKey(item: Item): string | undefined {
  const pk = String(item.PK ?? '');
  return pk.startsWith('USER#') ? `user#${pk.slice('USER#'.length).toLowerCase()}` : undefined;
}
