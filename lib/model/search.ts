// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity, type EntityItem } from 'electrodb';
import { type EntityConfig, SERVICE } from './service.js';

/** Suffixes are indexed from at most this many start positions of a filename. */
export const MAX_SUFFIX_POSITIONS = 256;
/** Each stored suffix is cut to this many characters; longer queries filter on the full name. */
export const MAX_SUFFIX_LENGTH = 64;

/**
 * One search-index item per start position of the lower-cased filename, in the audio row's own
 * partition (PK `AUDIO#<filename>`, SK `SUFFIX#<pos, 3 digits>`). GSI3 groups them by first
 * character (`SUF#<c>`) sorted by the suffix, so a substring query q is a begins_with(q) Query on
 * `SUF#<q[0]>` that reads the occurrences of q and nothing else, whatever the table size.
 */
export function suffixEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'audio_suffix', version: '1', service: SERVICE },
      attributes: {
        filename: { type: 'string', required: true },
        pos: { type: 'number', required: true, padding: { length: 3, char: '0' } },
        initial: { type: 'string', required: true },
        suffix: { type: 'string', required: true },
      },
      indexes: {
        byFile: {
          pk: { field: 'PK', composite: ['filename'], template: 'AUDIO#${filename}', casing: 'none' },
          sk: { field: 'SK', composite: ['pos'], template: 'SUFFIX#${pos}', casing: 'none' },
        },
        bySuffix: {
          index: 'GSI3',
          pk: { field: 'GSI3PK', composite: ['initial'], template: 'SUF#${initial}', casing: 'none' },
          sk: { field: 'GSI3SK', composite: ['suffix'], template: '${suffix}', casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type SuffixEntity = ReturnType<typeof suffixEntity>;
export type SuffixItem = EntityItem<SuffixEntity>;

/** The index items of one filename: one per start position, capped (see the constants above). */
export function suffixItems(filename: string): SuffixItem[] {
  const lower = filename.toLowerCase();
  const chars = Array.from(lower);
  const items: SuffixItem[] = [];
  for (let pos = 0; pos < Math.min(chars.length, MAX_SUFFIX_POSITIONS); pos++) {
    const suffix = chars.slice(pos, pos + MAX_SUFFIX_LENGTH).join('');
    items.push({ filename, pos, initial: chars[pos] as string, suffix });
  }
  return items;
}

/**
 * Position (in code points) of the first occurrence of `needle` in `haystack`, or -1. Positions
 * count code points, like the index entries, so names with emoji index consistently.
 */
export function firstOccurrence(haystack: string, needle: string): number {
  const at = haystack.indexOf(needle);
  return at < 0 ? -1 : Array.from(haystack.slice(0, at)).length;
}
