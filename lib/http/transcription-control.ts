import { ConflictError } from '../errors.js';
import type { StopReason } from '../ingest/ports.js';
import type { Deps } from '../runtime.js';
import type { AudioRecord } from '../store/store.js';
import { requireAudioFile } from './audio.js';

/**
 * Stopping what runs for a file: the cancel and delete routes. Step Functions' StopExecution in
 * AWS, the local runner's abort locally, through the ExecutionStarter port.
 */

/** Stops every execution still running (or queued) for this file; returns their names. */
export async function stopRunning(deps: Deps, filename: string, reason: StopReason): Promise<string[]> {
  const { executions } = deps;
  const running = await executions.findRunning({ bucket: deps.config.AUDIO_BUCKET, key: filename });
  const stopped: string[] = [];
  for (const execution of running) {
    if (await executions.stop(execution.executionArn, reason)) stopped.push(execution.name);
  }
  return stopped;
}

/**
 * Cancels a pending or processing transcription: the row becomes `failed` with a reason that
 * says it was cancelled (first, so a Task of the run still in flight cannot write after it: its
 * write is refused as an illegal transition), then its executions are stopped. A row with no run
 * behind it (stuck) is cancelled all the same. A finished one is a ConflictError: nothing to cancel.
 */
export async function cancelTranscription(
  deps: Deps,
  filename: string,
  by: string,
  now: () => Date = () => new Date(),
): Promise<{ record: AudioRecord; stopped: string[] }> {
  const row = await requireAudioFile(deps.store, filename);
  if (row.transcriptStatus !== 'pending' && row.transcriptStatus !== 'processing') {
    throw new ConflictError(
      `Nothing to cancel: the transcription of "${filename}" is ${row.transcriptStatus}. Transcribe it again with POST /api/audio/{filename}/transcribe.`,
    );
  }
  const reason = `Transcription cancelled by ${by} at ${now().toISOString()}. Transcribe it again when you want a transcript.`;
  const record = await deps.store.setTranscriptStatus({
    filename,
    status: 'failed',
    error: reason,
    sequencer: row.sequencer,
  });
  const stopped = await stopRunning(deps, filename, { error: 'Cancelled', cause: reason });
  deps.logger.info('Transcription cancelled', { key: filename, by, stopped });
  return { record, stopped };
}
