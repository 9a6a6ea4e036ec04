import type { Item } from './items.js';

/**
 * Reads items the Python service (or its migration script) wrote, whose attributes may be
 * missing or loosely typed, into records complete enough for the entity builders. Returns the
 * reason instead when an item lacks something that cannot be defaulted.
 */

const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const bool = (value: unknown, fallback: boolean): boolean => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['true', '1', 'yes'].includes(value.toLowerCase());
  return fallback;
};
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** created_at and updated_at, each defaulting to the other (and created_at to the epoch). */
const timestamps = (item: Item): { created_at: string; updated_at: string } => {
  const created = str(item.created_at) ?? str(item.updated_at) ?? new Date(0).toISOString();
  return { created_at: created, updated_at: str(item.updated_at) ?? created };
};

export type Normalized = { ok: true; record: Item } | { ok: false; reason: string };

/** A user item under `USER#<Name>` or `user#<name>`: username from the attribute, else from the key. */
export function normalizeLegacyUser(item: Item): Normalized {
  const username = str(item.username) ?? String(item.PK).replace(/^user#/i, '');
  const userId = num(item.user_id);
  const hashed = str(item.hashed_password) ?? str(item.password);
  if (userId === undefined || !Number.isSafeInteger(userId)) return { ok: false, reason: 'no numeric user_id' };
  if (!hashed) return { ok: false, reason: 'no hashed_password' };
  return {
    ok: true,
    record: {
      ...item,
      username,
      user_id: userId,
      hashed_password: hashed,
      is_active: bool(item.is_active, true),
      is_admin: bool(item.is_admin, false),
      ...timestamps(item),
    },
  };
}

/** An audio item `AUDIO#<filename>`/`METADATA`; status is kept as stored (the store normalizes on read). */
export function normalizeLegacyAudio(item: Item): Normalized {
  const filename = str(item.filename) ?? String(item.PK).slice('AUDIO#'.length);
  if (!filename) return { ok: false, reason: 'no filename' };
  return {
    ok: true,
    record: {
      ...item,
      filename,
      size: num(item.size) ?? 0,
      transcript_status: str(item.transcript_status) ?? 'pending',
      ...timestamps(item),
    },
  };
}

/** The index attributes (and ElectroDB markers) `desired` has that `existing` lacks or holds differently. */
export function missingIndexAttributes(existing: Item, desired: Item): Item {
  const missing: Item = {};
  for (const name of Object.keys(desired)) {
    if (!/^GSI\d+(PK|SK)$|^__edb_[ev]__$/.test(name)) continue;
    if (existing[name] !== desired[name]) missing[name] = desired[name];
  }
  return missing;
}
