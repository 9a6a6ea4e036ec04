import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, StaleEventError } from '../../errors.js';
import { checkUpload, nowIso, toIso } from '../common.js';
import type { AudioRecord, UpsertAudioInput } from '../store.js';
import { getAudioFile, TRANSCRIPT_FIELDS } from './audio.js';
import type { DynamoContext } from './context.js';
import { isConditionalCheckFailed } from './errors.js';
import { dropTranscriptEntries, ensureFilenameEntries, writeFilenameEntries } from './search-index.js';

type Upload = ReturnType<typeof checkUpload>;

/**
 * The one raw request of the adapter, because ElectroDB cannot express it: creating the row or
 * resetting it for a newer upload in ONE conditional UpdateItem needs a REMOVE of the previous
 * upload's transcript, which ElectroDB's `upsert` has no clause for, while its `update` writes
 * no index keys for a new item. Every attribute it sets (keys, GSI1 keys, ElectroDB's markers)
 * comes from the entity's own put item, so the item is exactly what ElectroDB would write.
 */
function upsertCommand(ctx: DynamoContext, upload: Upload, now: string): UpdateCommandInput {
  const { filename, size, duration, etag, sequencer } = upload;
  const item = ctx.audio
    .put({
      filename,
      size,
      transcript_status: 'pending',
      created_at: now,
      updated_at: now,
      ...(duration !== null ? { duration } : {}),
      ...(etag !== null ? { etag } : {}),
      ...(sequencer !== null ? { sequencer } : {}),
    })
    .params().Item as Record<string, unknown>;
  const { PK, SK, created_at, ...set } = item;
  const names: Record<string, string> = { '#created_at': 'created_at' };
  const values: Record<string, unknown> = { ':created_at': created_at };
  const assignments = ['#created_at = if_not_exists(#created_at, :created_at)'];
  Object.entries(set).forEach(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    assignments.push(`#s${i} = :s${i}`);
  });
  const removed = [
    ...TRANSCRIPT_FIELDS,
    ...(duration === null ? ['duration'] : []),
    ...(etag === null ? ['etag'] : []),
    ...(sequencer === null ? ['sequencer'] : []),
  ];
  removed.forEach((name, i) => {
    names[`#r${i}`] = name;
  });
  // An upload with neither sequencer nor etag cannot be told apart from another: it is newer.
  let condition: string | undefined;
  if (sequencer !== null) {
    names['#sequencer'] = 'sequencer';
    values[':sequencer'] = sequencer;
    condition = 'attribute_not_exists(#sequencer) OR #sequencer < :sequencer';
  } else if (etag !== null) {
    // Neither side ordered by a sequencer: the same etag and size is the same upload.
    Object.assign(names, { '#sequencer': 'sequencer', '#etag': 'etag', '#size': 'size' });
    Object.assign(values, { ':etag': etag, ':size': size });
    condition = 'attribute_exists(#sequencer) OR attribute_not_exists(#etag) OR #etag <> :etag OR #size <> :size';
  }
  return {
    TableName: ctx.tableName,
    Key: { PK, SK },
    UpdateExpression: `SET ${assignments.join(', ')} REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}`,
    ...(condition ? { ConditionExpression: condition } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_OLD',
  };
}

/**
 * Records an upload with ONE conditional UpdateItem (ReturnValues ALL_OLD): creates the row as
 * pending, or resets it to pending for a newer upload, keeping created_at. The same rules as the
 * SQLite adapter: with sequencers on both sides they decide; without, the same etag and size is
 * the same upload and anything else is newer. The filename entries are written only for a new
 * row; a reset drops the previous transcript's entries. A refused condition (same or older
 * upload) costs one follow-up read, on that path only.
 */
export async function upsertAudioFile(ctx: DynamoContext, input: UpsertAudioInput): Promise<AudioRecord> {
  const upload = checkUpload(input);
  const now = nowIso();
  let old: Record<string, unknown> | undefined;
  try {
    old = (await ctx.doc.send(new UpdateCommand(upsertCommand(ctx, upload, now)))).Attributes;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    return await onUpsertRejected(ctx, upload);
  }
  // A new row, or one the Python service wrote (no list index keys yet), gets its filename entries.
  if (!old || old.GSI1PK === undefined) await writeFilenameEntries(ctx, upload.filename);
  if (old && (old.transcript !== undefined || old.transcript_s3_key !== undefined)) {
    await dropTranscriptEntries(ctx, upload.filename);
  }
  return {
    filename: upload.filename,
    size: upload.size,
    duration: upload.duration,
    transcript: null,
    transcriptStatus: 'pending',
    transcriptError: null,
    transcriptS3Key: null,
    createdAt: (typeof old?.created_at === 'string' && toIso(old.created_at)) || now,
    updatedAt: now,
    transcribedAt: null,
    etag: upload.etag,
    sequencer: upload.sequencer,
  };
}

async function onUpsertRejected(ctx: DynamoContext, upload: Upload): Promise<AudioRecord> {
  const { filename, sequencer } = upload;
  const current = await getAudioFile(ctx, filename);
  if (!current) throw new ConflictError(`"${filename}" changed during the upload's registration; retry it.`);
  if (current.sequencer === sequencer) {
    // A redelivered event: also completes an index write that a crash may have cut short.
    await ensureFilenameEntries(ctx, filename);
    return current;
  }
  throw new StaleEventError(
    `Upload event for "${filename}" (sequencer ${sequencer}) is older than the recorded upload (${current.sequencer}); ignored.`,
  );
}
