/** Transcript statuses, as stored in `transcript_status`. */
export const TRANSCRIPT_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type TranscriptStatus = (typeof TRANSCRIPT_STATUSES)[number];

/**
 * The only allowed status changes: for each target status, the statuses it may come from.
 * `pending` is entered by a new upload (no row yet, enforced by the upsert) or by a re-transcribe
 * of a finished file. Both store adapters turn these lists into conditional writes.
 */
export const ALLOWED_FROM: Readonly<Record<TranscriptStatus, readonly TranscriptStatus[]>> = {
  pending: ['completed', 'failed'],
  processing: ['pending'],
  completed: ['processing'],
  failed: ['pending', 'processing'],
};

/** Values the Python service wrote that are not in our closed set; they read as `failed`. */
export const LEGACY_FAILED_STATUSES = ['error', 'cancelled', 'disabled'] as const;

export function isTranscriptStatus(value: unknown): value is TranscriptStatus {
  return typeof value === 'string' && (TRANSCRIPT_STATUSES as readonly string[]).includes(value);
}

/** Whether `from → to` is allowed (`from` undefined means the row does not exist). */
export function canTransition(from: TranscriptStatus | undefined, to: TranscriptStatus): boolean {
  return from !== undefined && ALLOWED_FROM[to].includes(from);
}

/**
 * Reads a stored status value: legacy failure values become `failed` (the caller keeps the old
 * value in `transcript_error`), anything unknown or missing becomes `pending`.
 */
export function normalizeStatus(raw: unknown): { status: TranscriptStatus; legacy?: string } {
  if (isTranscriptStatus(raw)) return { status: raw };
  if (typeof raw === 'string' && (LEGACY_FAILED_STATUSES as readonly string[]).includes(raw)) {
    return { status: 'failed', legacy: raw };
  }
  return { status: 'pending' };
}

/** The error text shown for a legacy status that carried no error of its own. */
export function legacyStatusError(legacy: string, error: string | null | undefined): string {
  return error ? error : `legacy status: ${legacy}`;
}
