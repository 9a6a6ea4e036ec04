import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  InvalidTransitionError,
  NotFoundError,
  StaleEventError,
  ValidationError,
} from '../../errors.js';
import { ALLOWED_FROM, isTranscriptStatus, LEGACY_FAILED_STATUSES, type TranscriptStatus } from '../../model/status.js';
import { checkFilename, checkUpload, normalizeSequencer, nowIso, toIso } from '../common.js';
import type { AudioRecord, SetStatusInput, UpdateTranscriptInput, UpsertAudioInput } from '../store.js';
import type { DynamoContext } from './context.js';
import { isConditionalCheckFailed } from './errors.js';
import { toAudioRecord } from './records.js';
import { deleteSearchEntries, ensureSearchEntries, writeSearchEntries } from './search.js';

const OWN = { ignoreOwnership: true } as const;
/** Attributes of a finished transcript, cleared when a row goes (back) to pending. */
const TRANSCRIPT_FIELDS = ['transcript', 'transcript_error', 'transcribed_at', 'transcript_s3_key'] as const;

/** One GetItem on `AUDIO#<filename>`/`METADATA`. */
export async function getAudioFile(ctx: DynamoContext, filename: string): Promise<AudioRecord | undefined> {
  checkFilename(filename);
  const { data } = await ctx.audio.get({ filename }).go(OWN);
  return data ? toAudioRecord(data) : undefined;
}

/**
 * Records an upload with ONE conditional UpdateItem (ReturnValues ALL_OLD): creates the row as
 * pending, or resets it to pending for a newer sequencer, keeping created_at (if_not_exists).
 * The search index is written only when the row is new. A failed condition (same or older
 * sequencer) costs one follow-up read, on that path only.
 */
export async function upsertAudioFile(ctx: DynamoContext, input: UpsertAudioInput): Promise<AudioRecord> {
  const { filename, size, duration, etag, sequencer } = checkUpload(input);
  const now = nowIso();
  let op = ctx.audio
    .upsert({
      filename,
      size,
      transcript_status: 'pending',
      updated_at: now,
      created_at: now,
      ...(duration !== null ? { duration } : {}),
      ...(etag !== null ? { etag } : {}),
      ...(sequencer !== null ? { sequencer } : {}),
    } as never)
    .ifNotExists({ created_at: now });
  if (sequencer !== null) {
    op = op.where((a, { notExists, lt }) => `(${notExists(a.sequencer)} OR ${lt(a.sequencer, sequencer)})`);
  }
  const params = op.params({ response: 'all_old' }) as {
    UpdateExpression: string;
    ExpressionAttributeNames: Record<string, string>;
  };
  // ElectroDB's upsert has no REMOVE clause; a reset must drop the previous upload's transcript.
  const remove: string[] = [
    ...TRANSCRIPT_FIELDS,
    ...(duration === null ? ['duration'] : []),
    ...(etag === null ? ['etag'] : []),
  ];
  for (const field of remove) params.ExpressionAttributeNames[`#rm_${field}`] = field;
  params.UpdateExpression += ` REMOVE ${remove.map((f) => `#rm_${f}`).join(', ')}`;

  let old: Record<string, unknown> | undefined;
  try {
    old = (await ctx.doc.send(new UpdateCommand(params as never))).Attributes;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    return await onUpsertRejected(ctx, filename, sequencer);
  }
  if (!old) await writeSearchEntries(ctx, filename);
  return {
    filename,
    size,
    duration,
    transcript: null,
    transcriptStatus: 'pending',
    transcriptError: null,
    transcriptS3Key: null,
    createdAt: (typeof old?.created_at === 'string' && toIso(old.created_at)) || now,
    updatedAt: now,
    transcribedAt: null,
    etag,
    sequencer: sequencer ?? (typeof old?.sequencer === 'string' ? old.sequencer : null),
  };
}

async function onUpsertRejected(ctx: DynamoContext, filename: string, sequencer: string | null): Promise<AudioRecord> {
  const current = await getAudioFile(ctx, filename);
  if (!current) throw new ConflictError(`"${filename}" changed during the upload's registration; retry it.`);
  if (current.sequencer === sequencer) {
    // A redelivered event: also completes an index write that a crash may have cut short.
    await ensureSearchEntries(ctx, filename);
    return current;
  }
  throw new StaleEventError(
    `Upload event for "${filename}" (sequencer ${sequencer}) is older than the recorded upload (${current.sequencer}); ignored.`,
  );
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
  set: Record<string, string>;
  remove: string[];
  sequencer: string | null | undefined;
}

/**
 * One conditional UpdateItem (ElectroDB patch: the row must exist, so nothing is resurrected)
 * guarded by the allowed previous statuses and, when given, the upload's sequencer. On a failed
 * condition the current row comes with the error (ReturnValuesOnConditionCheckFailure) or, where
 * the server does not return it, from one read on that path only.
 */
async function transition(ctx: DynamoContext, change: Change): Promise<AudioRecord> {
  const { filename, to } = change;
  const sequencer = change.sequencer ? normalizeSequencer(change.sequencer) : null;
  const from = storedFrom(to);
  let op = ctx.audio.patch({ filename }).set({ ...change.set, transcript_status: to, updated_at: nowIso() });
  if (change.remove.length > 0) op = op.remove(change.remove as never);
  const guarded = op.where((a, { eq }) => {
    const statuses = `(${from.map((s) => eq(a.transcript_status, s)).join(' OR ')})`;
    return sequencer ? `${statuses} AND ${eq(a.sequencer, sequencer)}` : statuses;
  });
  const result = (await guarded.go({
    ...OWN,
    response: 'all_new',
    returnOnConditionCheckFailure: 'all_old',
  } as never)) as {
    rejected?: boolean;
    data?: Record<string, unknown> | null;
  };
  if (!result.rejected && result.data) return toAudioRecord(result.data);
  const current = result.data ? toAudioRecord(result.data) : await getAudioFile(ctx, filename);
  throw new InvalidTransitionError(filename, current?.transcriptStatus, to);
}

/** Any allowed status change; to `pending` clears the transcript, error and transcribed_at. */
export async function setTranscriptStatus(ctx: DynamoContext, input: SetStatusInput): Promise<AudioRecord> {
  checkFilename(input.filename);
  const to = input.status;
  if (!isTranscriptStatus(to)) {
    throw new ValidationError(`Invalid status ${JSON.stringify(to)}: use pending, processing, completed or failed.`);
  }
  const set: Record<string, string> = {};
  const remove: string[] = [];
  if (to === 'pending') remove.push(...TRANSCRIPT_FIELDS);
  if (to === 'completed') set.transcribed_at = nowIso();
  if (to === 'failed' || to === 'completed') {
    if (input.error) set.transcript_error = input.error;
    else remove.push('transcript_error');
  }
  return transition(ctx, { filename: input.filename, to, set, remove, sequencer: input.sequencer });
}

/** processing → completed|failed (pending → failed too); sets transcribed_at on completed. */
export async function updateTranscript(ctx: DynamoContext, input: UpdateTranscriptInput): Promise<AudioRecord> {
  checkFilename(input.filename);
  const to = input.status;
  if (to !== 'completed' && to !== 'failed') {
    throw new ValidationError(`Invalid status ${JSON.stringify(to)} for a transcript: use completed or failed.`);
  }
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const put = (field: string, value: string | null | undefined) => {
    if (value) set[field] = value;
    else remove.push(field);
  };
  put('transcript', input.transcript);
  put('transcript_error', input.error);
  put('transcript_s3_key', input.transcriptS3Key);
  if (to === 'completed') set.transcribed_at = nowIso();
  return transition(ctx, { filename: input.filename, to, set, remove, sequencer: input.sequencer });
}

/**
 * Deletes the row (NotFoundError if none), then its search index entries. If the same filename
 * was uploaded again meanwhile, its entries are written back, so the new row stays searchable.
 */
export async function deleteAudioFile(ctx: DynamoContext, filename: string): Promise<void> {
  checkFilename(filename);
  try {
    await ctx.audio.remove({ filename }).go();
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(`No audio file named "${filename}".`);
    throw error;
  }
  await deleteSearchEntries(ctx, filename);
  if (await getAudioFile(ctx, filename)) await writeSearchEntries(ctx, filename);
}
