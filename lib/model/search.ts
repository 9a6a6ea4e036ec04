// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ElectroDB key templates are literal `${attribute}` placeholders, not JS templates.
import { Entity, type EntityItem } from 'electrodb';
import { filenameGrams, transcriptPrefixes } from './search-terms.js';
import { type EntityConfig, SERVICE } from './service.js';

/** `NAME`: a 1–3 character substring of the lower-cased filename; `WORD`: a transcript word prefix. */
const TERM_KINDS = ['NAME', 'WORD'] as const;
export type TermKind = (typeof TERM_KINDS)[number];

/**
 * The search index: one item per distinct term of a file, in the audio row's own partition
 * (PK `AUDIO#<filename>`, SK `NAME#<gram>` or `WORD#<prefix>`), so a file's entries are found and
 * deleted with one Query of its partition. GSI3 groups them by term (`NAME#<gram>` /
 * `WORD#<prefix>`) sorted by filename: a search reads the files under one term in filename
 * order, each at most once, and never more than the files that hold the term.
 */
export function searchTermEntity({ table, client }: EntityConfig) {
  return new Entity(
    {
      model: { entity: 'audio_term', version: '1', service: SERVICE },
      attributes: {
        filename: { type: 'string', required: true },
        kind: { type: TERM_KINDS, required: true },
        term: { type: 'string', required: true },
      },
      indexes: {
        byFile: {
          pk: { field: 'PK', composite: ['filename'], template: 'AUDIO#${filename}', casing: 'none' },
          sk: { field: 'SK', composite: ['kind', 'term'], template: '${kind}#${term}', casing: 'none' },
        },
        byTerm: {
          index: 'GSI3',
          pk: { field: 'GSI3PK', composite: ['kind', 'term'], template: '${kind}#${term}', casing: 'none' },
          sk: { field: 'GSI3SK', composite: ['filename'], template: '${filename}', casing: 'none' },
        },
      },
    },
    { table, client },
  );
}

export type SearchTermEntity = ReturnType<typeof searchTermEntity>;
export type SearchTermItem = EntityItem<SearchTermEntity>;

/** The filename index items of one file: one per distinct 1–3 character substring. */
export function filenameTermItems(filename: string): SearchTermItem[] {
  return filenameGrams(filename).map((term) => ({ filename, kind: 'NAME', term }));
}

/** The transcript index items of one file: one per distinct word prefix of 3+ characters. */
export function transcriptTermItems(filename: string, text: string | null | undefined): SearchTermItem[] {
  return transcriptPrefixes(text).map((term) => ({ filename, kind: 'WORD', term }));
}

/** Every search index item of a file (migration and repair write these). */
export function searchTermItems(filename: string, text?: string | null): SearchTermItem[] {
  return [...filenameTermItems(filename), ...transcriptTermItems(filename, text)];
}

/** Whether a sort key is a search index entry's (in an audio partition). */
export function isSearchTermKey(sk: unknown): boolean {
  return typeof sk === 'string' && (sk.startsWith('NAME#') || sk.startsWith('WORD#'));
}
