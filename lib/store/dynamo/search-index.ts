import { filenameTermItems, type SearchTermItem, type TermKind, transcriptTermItems } from '../../model/search.js';
import { batchWriteAll, type WriteRequest } from './batch.js';
import type { DynamoContext } from './context.js';

/**
 * Writes and deletes of the search index (lib/model/search.ts). Entries are built and addressed by
 * ElectroDB and sent through the shared batch module (BatchWriteItem in 25s, UnprocessedItems
 * retried with backoff; ElectroDB's own batch `go` returns them unretried). Every entry lives in
 * its file's partition, so one Query finds them all.
 */

/** ElectroDB's batch put/delete params, flattened into the requests the batch module sends. */
function requests(ctx: DynamoContext, batches: unknown): WriteRequest[] {
  return (batches as { RequestItems: Record<string, WriteRequest[]> }[]).flatMap(
    (batch) => batch.RequestItems[ctx.tableName] ?? [],
  );
}

async function putEntries(ctx: DynamoContext, items: SearchTermItem[]): Promise<void> {
  if (items.length > 0) await batchWriteAll(ctx, requests(ctx, ctx.term.put(items).params()));
}

/** Writes a new file's filename entries: ⌈entries / 25⌉ BatchWriteItem calls. */
export function writeFilenameEntries(ctx: DynamoContext, filename: string): Promise<void> {
  return putEntries(ctx, filenameTermItems(filename));
}

/**
 * Writes the word entries of a transcript (one per distinct word prefix). Puts are idempotent, so
 * a retried write of the same transcript costs requests but never duplicates an entry.
 */
export function writeTranscriptEntries(ctx: DynamoContext, filename: string, text: string): Promise<void> {
  return putEntries(ctx, transcriptTermItems(filename, text));
}

/**
 * The entries stored in a file's partition (all, or of one kind), with the attributes that address
 * them. Ownership stays checked: the partition also holds the audio row, which must never be
 * mistaken for an entry.
 */
async function storedEntries(ctx: DynamoContext, filename: string, kind?: TermKind): Promise<SearchTermItem[]> {
  const { data } = await ctx.term.query
    .byFile(kind ? { filename, kind } : { filename })
    .go({ pages: 'all', attributes: ['filename', 'kind', 'term'] });
  return data;
}

/** Rewrites the filename entries if some are missing (after an interrupted registration). */
export async function ensureFilenameEntries(ctx: DynamoContext, filename: string): Promise<void> {
  const stored = await storedEntries(ctx, filename, 'NAME');
  if (stored.length < filenameTermItems(filename).length) await writeFilenameEntries(ctx, filename);
}

/** Deletes a file's entries (all, or of one kind): one Query of its partition, then batch deletes. */
async function deleteEntries(ctx: DynamoContext, filename: string, kind?: TermKind): Promise<void> {
  const stored = await storedEntries(ctx, filename, kind);
  if (stored.length > 0) await batchWriteAll(ctx, requests(ctx, ctx.term.delete(stored).params()));
}

/** The row as it is now (strongly consistent), to repair what a racing writer may have changed. */
async function currentRow(ctx: DynamoContext, filename: string) {
  const { data } = await ctx.audio.get({ filename }).go({ ignoreOwnership: true, consistent: true });
  return data;
}

/**
 * Deletes a file's word entries after its transcript was cleared. If a new transcript was stored
 * meanwhile (a re-run racing the cleanup), its entries are written back, so it stays searchable.
 */
export async function dropTranscriptEntries(ctx: DynamoContext, filename: string): Promise<void> {
  await deleteEntries(ctx, filename, 'WORD');
  const row = await currentRow(ctx, filename);
  if (row?.transcript) await writeTranscriptEntries(ctx, filename, row.transcript);
}

/**
 * Deletes every entry of a deleted file. If the same filename was uploaded again meanwhile, its
 * entries are written back, so the new row stays searchable.
 */
export async function dropAllEntries(ctx: DynamoContext, filename: string): Promise<void> {
  await deleteEntries(ctx, filename);
  const row = await currentRow(ctx, filename);
  if (!row) return;
  await writeFilenameEntries(ctx, filename);
  if (row.transcript) await writeTranscriptEntries(ctx, filename, row.transcript);
}
