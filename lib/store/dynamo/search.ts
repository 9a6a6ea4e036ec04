import type { TermKind } from '../../model/search.js';
import { filenameMatches, parseSearchQuery, type SearchQuery } from '../../model/search-terms.js';
import { pageLimit } from '../common.js';
import { compareFilenames, listedHits, searchCursorAfter, searchStart, toSearchHit } from '../search.js';
import type { Page, PageOptions, SearchHit } from '../store.js';
import { batchGetAll } from './batch.js';
import type { DynamoContext } from './context.js';
import { listAudioFiles } from './list.js';
import { toAudioRecord } from './records.js';

/**
 * Index entries one term stream examines per call at most: a long filename query checks each
 * candidate under its first 3 characters, so a page of few matches among many candidates ends
 * early with a cursor rather than reading without bound.
 */
const MAX_EXAMINED_PER_STREAM = 500;

/**
 * The files under one index term (GSI3, in filename order) after a start filename, read lazily
 * page by page; `accept` drops candidates that hold the term but not the whole query.
 */
class TermStream {
  readonly hits: string[] = [];
  /** The last filename examined: every match up to it is in `hits`. */
  frontier: string | undefined;
  done = false;
  #cursor: string | null = null;
  #examined = 0;
  #pageSize = 0;

  constructor(
    private readonly ctx: DynamoContext,
    private readonly kind: TermKind,
    private readonly term: string,
    private readonly after: string | undefined,
    private readonly accept: (filename: string) => boolean = () => true,
  ) {}

  /** Reads until `want` hits are buffered, the term's files end, or the examination bound is reached. */
  async fill(want: number): Promise<void> {
    while (!this.done && this.hits.length < want && this.#examined < MAX_EXAMINED_PER_STREAM) {
      const query = this.ctx.term.query.byTerm({ kind: this.kind, term: this.term });
      const ranged = this.after === undefined ? query : query.gt({ filename: this.after });
      // GSI3 projects only the filename, not ElectroDB's entity markers: ownership cannot be checked there.
      // Pages grow while candidates fail the check, so a selective query takes few round trips.
      this.#pageSize = Math.max(want - this.hits.length + 1, this.#pageSize * 2);
      const { data, cursor } = await ranged.go({
        ignoreOwnership: true,
        attributes: ['filename'],
        limit: Math.min(this.#pageSize, MAX_EXAMINED_PER_STREAM - this.#examined),
        cursor: this.#cursor,
      });
      for (const { filename } of data) {
        this.#examined++;
        this.frontier = filename;
        if (this.accept(filename)) this.hits.push(filename);
      }
      this.#cursor = cursor;
      if (!cursor) this.done = true;
    }
  }
}

/**
 * Case-insensitive search of filenames (any substring) and transcript words (prefix of 3+
 * characters), each file once, in filename order. Two index streams are merged: the files under
 * the query's filename term (its first 3 characters, each candidate checked against the whole
 * query) and, for a one-word query, the files under its word prefix. A page holds the merged
 * files up to the point both streams have been read to, so it is exact however the streams
 * interleave; rows are then read fresh with BatchGetItem (index entries never serve stale data).
 * The empty query lists every file.
 */
export async function searchAudioFiles(
  ctx: DynamoContext,
  query: string,
  options?: PageOptions,
): Promise<Page<SearchHit>> {
  const parsed = parseSearchQuery(query);
  const limit = pageLimit(options);
  if (parsed.text === '') {
    return listedHits(listAudioFiles(ctx, options), parsed);
  }
  const after = searchStart(parsed, options?.cursor);
  const streams = termStreams(ctx, parsed, after);
  await Promise.all(streams.map((stream) => stream.fill(limit + 1)));

  // Every stream still open has been read up to its frontier; nothing past the lowest is known yet.
  const open = streams.filter((s) => !s.done);
  const frontiers = open.map((s) => s.frontier ?? after).filter((f): f is string => f !== undefined);
  const bound = open.length > 0 ? (frontiers.sort(compareFilenames)[0] ?? '') : undefined;
  const within = (f: string) => bound === undefined || compareFilenames(f, bound) <= 0;
  const merged = [...new Set(streams.flatMap((s) => s.hits))].filter(within).sort(compareFilenames);
  const names = merged.slice(0, limit);
  let cursorAt: string | undefined;
  if (merged.length > limit) cursorAt = names.at(-1);
  else if (bound) cursorAt = bound;

  // Keys from ElectroDB, reads through the shared batch module: ElectroDB's batch get hands back
  // unprocessed keys without retrying them, the module retries them with backoff.
  const rows = await batchGetAll(
    ctx,
    names.map((filename) => ctx.audio.get({ filename }).params().Key as Record<string, unknown>),
  );
  const byName = new Map(rows.map((row) => [String(row.filename), toAudioRecord(row)]));
  const items = names.flatMap((filename) => {
    const record = byName.get(filename);
    const hit = record && toSearchHit(record, parsed);
    return hit ? [hit] : [];
  });
  return cursorAt === undefined ? { items } : { items, cursor: searchCursorAfter(parsed, cursorAt) };
}

function termStreams(ctx: DynamoContext, query: SearchQuery, after: string | undefined): TermStream[] {
  const streams: TermStream[] = [];
  if (query.name !== undefined && query.gram !== undefined) {
    const exact = query.gram === query.name;
    streams.push(new TermStream(ctx, 'NAME', query.gram, after, exact ? undefined : (f) => filenameMatches(f, query)));
  }
  if (query.word !== undefined) streams.push(new TermStream(ctx, 'WORD', query.word, after));
  return streams;
}
