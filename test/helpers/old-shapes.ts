import { readFileSync } from 'node:fs';

/**
 * The Python service's responses, written from its route code (test/fixtures/old-service/, each
 * file naming its source file, lines and commit), and a field-by-field comparison: every field the
 * old service sent must be in ours, with the same JSON type; ours may have more.
 */

export interface OldResponse {
  source: { file: string; commit: string; lines: string; route: string; note?: string };
  // biome-ignore lint/suspicious/noExplicitAny: a recorded JSON document, compared field by field
  response: any;
}

export function oldResponse(name: string): OldResponse {
  return JSON.parse(readFileSync(`test/fixtures/old-service/${name}.json`, 'utf8')) as OldResponse;
}

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * Where ours differs from the old shape: a field missing, or of another JSON type. `null` on
 * either side matches any type (a nullable field: the old service's `duration` 0, our unknown
 * duration null). Arrays: every element of ours against the old array's first element.
 */
export function shapeDifferences(ours: unknown, old: unknown, at = '$'): string[] {
  if (old === null || ours === null) return [];
  if (typeOf(ours) !== typeOf(old)) return [`${at}: ${typeOf(ours)} where the old service sent ${typeOf(old)}`];
  if (Array.isArray(old)) {
    const template = old[0];
    if (template === undefined) return [];
    return (ours as unknown[]).flatMap((item, i) => shapeDifferences(item, template, `${at}[${i}]`));
  }
  if (typeOf(old) === 'object') {
    const mine = ours as Record<string, unknown>;
    return Object.entries(old as Record<string, unknown>).flatMap(([field, value]) =>
      field in mine ? shapeDifferences(mine[field], value, `${at}.${field}`) : [`${at}.${field}: missing`],
    );
  }
  return [];
}
