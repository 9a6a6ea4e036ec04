import { InvalidTransitionError, NotFoundError, ValidationError } from '../../errors.js';
import type { AudioItem } from '../../model/audio.js';
import { ALLOWED_FROM, isTranscriptStatus, LEGACY_FAILED_STATUSES, type TranscriptStatus } from '../../model/status.js';
import { checkFilename, normalizeSequencer, nowIso } from '../common.js';
import type { AudioRecord, SetStatusInput, UpdateTranscriptInput } from '../store.js';
import type { DynamoContext } from './context.js';
import { toAudioRecord } from './records.js';
import { dropAllEntries, dropTranscriptEntries, writeTranscriptEntries } from './search-index.js';

const OWN = { ignoreOwnership: true } as const;
/** Attributes of a finished transcript, cleared when a row goes (back) to pending. */
export const TRANSCRIPT_FIELDS = ['transcript', 'transcript_error', 'transcribed_at', 'transcript_s3_key'] as const;
type TranscriptField = (typeof TRANSCRIPT_FIELDS)[number];

/** One GetItem on `AUDIO#<filename>`/`METADATA`. */
export async function getAudioFile(ctx: DynamoContext, filename: string): Promise<AudioRecord | undefined> {
  checkFilename(filename);
  const { data } = await ctx.audio.get({ filename }).go(OWN);
  return data ? toAudioRecord(data) : undefined;
}

/** The stored values a status may come from: ALLOWED_FROM, plus legacy values that read as failed. */
function storedFrom(to: TranscriptStatus): string[] {
  const from: string[] = [...ALLOWED_FROM[to]];
  if (from.includes('failed')) from.push(...LEGACY_FAILED_STATUSES);
  return from;
}

interface Change {
  filename: string;
  to: TranscriptStatus;
  set: Partial<Record<TranscriptField, string>>;
  remove: TranscriptField[];
  sequencer: string | null | undefined;
}

/**
 * One conditional UpdateItem (ElectroDB patch: the row must exist, so nothing is resurrected)
 * guarded by the allowed previous statuses and, when given, the upload's sequencer. It returns
 * the row as it was (ALL_OLD, also when the condition fails), so the caller learns what was
 * cleared without a read, and the new row is the old one with the change applied. Where the
 * server does not return the item on a failed condition, one read on that path says why.
 */
async function transition(ctx: DynamoContext, change: Change): Promise<{ old: AudioRecord; row: AudioRecord }> {
  const { filename, to } = change;
  const sequencer = change.sequencer ? normalizeSequencer(change.sequencer) : null;
  const from = storedFrom(to);
  const set = { ...change.set, transcript_status: to, updated_at: nowIso() };
  let op = ctx.audio.patch({ filename }).set(set);
  if (change.remove.length > 0) op = op.remove(change.remove);
  const result = await op
    .where((a, { eq }) => {
      const statuses = `(${from.map((s) => eq(a.transcript_status, s)).join(' OR ')})`;
      return sequencer ? `${statuses} AND ${eq(a.sequencer, sequencer)}` : statuses;
    })
    .go({ ...OWN, response: 'all_old', returnOnConditionCheckFailure: 'all_old' });
  if (result.rejected) {
    const current = result.data ? toAudioRecord(result.data) : await getAudioFile(ctx, filename);
    throw new InvalidTransitionError(filename, current?.transcriptStatus, to);
  }
  const old: Partial<AudioItem> = result.data ?? {};
  const next: Partial<AudioItem> = { ...old, ...set, filename };
  for (const field of change.remove) delete next[field];
  return { old: toAudioRecord(old), row: toAudioRecord(next) };
}

/** Any allowed status change; to `pending` clears the transcript, error and transcribed_at. */
export async function setTranscriptStatus(ctx: DynamoContext, input: SetStatusInput): Promise<AudioRecord> {
  checkFilename(input.filename);
  const to = input.status;
  if (!isTranscriptStatus(to)) {
    throw new ValidationError(`Invalid status ${JSON.stringify(to)}: use pending, processing, completed or failed.`);
  }
  const set: Change['set'] = {};
  const remove: TranscriptField[] = [];
  if (to === 'pending') remove.push(...TRANSCRIPT_FIELDS);
  if (to === 'completed') set.transcribed_at = nowIso();
  if (to === 'failed' || to === 'completed') {
    if (input.error) set.transcript_error = input.error;
    else remove.push('transcript_error');
  }
  const { old, row } = await transition(ctx, { filename: input.filename, to, set, remove, sequencer: input.sequencer });
  if (to === 'pending' && (old.transcript !== null || old.transcriptS3Key !== null)) {
    await dropTranscriptEntries(ctx, input.filename);
  }
  return row;
}

/**
 * processing → completed|failed (pending → failed too); sets transcribed_at on completed. The
 * transcript's word entries are written BEFORE the row: a crash in between leaves
 * entries that search drops (the row does not hold the words), never a transcript that cannot be
 * found. A transcript kept in S3 is indexed from `searchText`.
 */
export async function updateTranscript(ctx: DynamoContext, input: UpdateTranscriptInput): Promise<AudioRecord> {
  checkFilename(input.filename);
  const to = input.status;
  if (to !== 'completed' && to !== 'failed') {
    throw new ValidationError(`Invalid status ${JSON.stringify(to)} for a transcript: use completed or failed.`);
  }
  const set: Change['set'] = {};
  const remove: TranscriptField[] = [];
  const put = (field: TranscriptField, value: string | null | undefined) => {
    if (value) set[field] = value;
    else remove.push(field);
  };
  put('transcript', input.transcript);
  put('transcript_error', input.error);
  put('transcript_s3_key', input.transcriptS3Key);
  if (to === 'completed') set.transcribed_at = nowIso();
  const text = input.transcript || input.searchText;
  if (text) await writeTranscriptEntries(ctx, input.filename, text);
  const { row } = await transition(ctx, { filename: input.filename, to, set, remove, sequencer: input.sequencer });
  return row;
}

/** Deletes the row (NotFoundError if none), then its search index entries. */
export async function deleteAudioFile(ctx: DynamoContext, filename: string): Promise<void> {
  checkFilename(filename);
  const result = await ctx.audio.remove({ filename }).go({ returnOnConditionCheckFailure: true });
  if (result.rejected) throw new NotFoundError(`No audio file named "${filename}".`);
  await dropAllEntries(ctx, filename);
}
