import { ConflictError, NotFoundError } from '../errors.js';
import { checkFilename } from '../store/common.js';
import type { AudioRecord, Store } from '../store/store.js';
import { executionName } from './keys.js';
import type { ExecutionStarter, IngestInput } from './ports.js';

export interface RerunResult {
  execution: string;
  record: AudioRecord;
}

/**
 * Re-runs the transcription of a recorded file (POST /api/audio/{filename}/transcribe): the row
 * goes back to `pending` from completed/failed, then a new execution of the same upload starts
 * under a fresh name. A `pending` row with no execution running for it (its transcript deleted,
 * or its run never started) starts one as it is; while one runs, or while `processing`, it is a
 * ConflictError. Unknown file → NotFoundError.
 */
export async function requestTranscription(
  filename: string,
  deps: { store: Store; executions: Pick<ExecutionStarter, 'start' | 'findRunning'>; config: { AUDIO_BUCKET: string } },
  now: () => Date = () => new Date(),
): Promise<RerunResult> {
  checkFilename(filename);
  const row = await deps.store.getAudioFile(filename);
  if (!row) throw new NotFoundError(`Audio file "${filename}" not found.`);
  const bucket = deps.config.AUDIO_BUCKET;
  if (row.transcriptStatus === 'processing') {
    throw new ConflictError(
      `The transcription of "${filename}" is already processing; wait for it to finish, or cancel it (POST /api/audio/{filename}/transcript/cancel).`,
    );
  }
  if (row.transcriptStatus === 'pending') {
    const [running] = await deps.executions.findRunning({ bucket, key: filename });
    if (running) {
      throw new ConflictError(
        `The transcription of "${filename}" is already pending (execution ${running.name} is running); wait for it to finish.`,
      );
    }
  }
  const record =
    row.transcriptStatus === 'pending'
      ? row
      : await deps.store.setTranscriptStatus({ filename, status: 'pending', sequencer: row.sequencer });
  const upload = { bucket, key: filename, sequencer: row.sequencer, etag: row.etag };
  const name = executionName(upload, `rerun-${now().getTime().toString(36)}`);
  const input: IngestInput = { ...upload, size: row.size, execution: name };
  try {
    await deps.executions.start({ name, input });
  } catch (error) {
    // Not left `pending` with no run behind it: failed, with a reason, can be re-run again.
    await deps.store
      .setTranscriptStatus({
        filename,
        status: 'failed',
        error: `The transcription could not be started (${(error as Error).name}: ${(error as Error).message}). Try again.`,
        sequencer: row.sequencer,
      })
      .catch(() => undefined);
    throw error;
  }
  return { execution: name, record };
}
