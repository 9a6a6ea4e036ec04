import type { TranscriptStatus } from '../api.js';

const LABELS: Record<TranscriptStatus, string> = {
  pending: 'pending',
  processing: 'processing',
  completed: 'completed',
  failed: 'failed',
};

/** A transcript status as a coloured badge whose text is the status itself (colour is never the only cue). */
export function StatusBadge({ status }: { status: TranscriptStatus | string }) {
  const known = (LABELS as Record<string, string>)[status];
  return <span class={`badge badge-${known ? status : 'unknown'}`}>{known ?? status}</span>;
}

/** An execution status (RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT) as a badge. */
export function RunBadge({ status }: { status: string }) {
  const tone =
    status === 'SUCCEEDED'
      ? 'completed'
      : status === 'RUNNING'
        ? 'processing'
        : status === 'FAILED'
          ? 'failed'
          : 'unknown';
  return <span class={`badge badge-${tone}`}>{status.toLowerCase().replace('_', ' ')}</span>;
}
