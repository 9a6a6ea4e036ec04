/**
 * Ports of the pipeline: what the functions need from the outside world, with one AWS adapter and
 * one local adapter each, chosen in the composition root (lib/runtime.ts).
 */

/** The state machine's input: small, ids and keys only (Step Functions payloads ≤ 256 KB). */
export interface IngestInput {
  bucket: string;
  /**
   * The S3 key (the filename). From an event: its first reading (URL-decoded when that is valid),
   * replaced by the key that exists once RegisterUpload has asked S3 (`$.registered.key`).
   */
  key: string;
  /**
   * The key exactly as the event spelled it, when that differs from `key`: the other reading
   * RegisterUpload tries when S3 has no object under `key` (no source's encoding is assumed).
   */
  eventKey?: string;
  /** Raw S3 sequencer, when the event carried one. */
  sequencer: string | null;
  etag: string | null;
  size: number | null;
  /** The execution name, echoed for logs and for deterministic job names. */
  execution: string;
  /**
   * Set when the event's key is not valid percent-encoding (`key` then holds it as written): if
   * no object has that key either, the run ends `failed` with this reason at its first task,
   * instead of the trigger retrying forever.
   */
  keyError?: string;
}

export interface StartExecutionRequest {
  name: string;
  input: IngestInput;
}

/** An execution of the ingest state machine that has not stopped yet. */
export interface RunningExecution {
  name: string;
  executionArn: string;
}

/** What a stopped execution records as its error and cause (StopExecution's `error`, `cause`). */
export interface StopReason {
  error: string;
  cause: string;
}

/**
 * Starts and stops the ingest state machine: client-sfn StartExecution, ListExecutions and
 * StopExecution in AWS, the in-process runner locally.
 */
export interface ExecutionStarter {
  /**
   * Starts a named execution. A name already used (ExecutionAlreadyExists) resolves with
   * `{ started: false }` — a duplicate delivery is a no-op.
   */
  start(request: StartExecutionRequest): Promise<{ started: boolean; executionArn?: string }>;
  /** The executions of one object (bucket and key, either reading of the event's key) still running or queued. */
  findRunning(upload: { bucket: string; key: string }): Promise<RunningExecution[]>;
  /** Stops an execution as StopExecution does (it ends ABORTED); false when it had already stopped. */
  stop(executionArn: string, reason: StopReason): Promise<boolean>;
}

export type TranscriptionJobState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface TranscriptionJob {
  jobName: string;
  state: TranscriptionJobState;
  /** Readable reason when FAILED. */
  failureReason?: string;
}

export interface StartTranscriptionRequest {
  jobName: string;
  bucket: string;
  key: string;
  mediaFormat: string;
}

/** Speech to text: AWS Transcribe in the cloud, pocketsphinx locally. */
export interface Transcriber {
  /** Starts a job; a job of that name that already exists is adopted (ConflictException), not an error. */
  start(request: StartTranscriptionRequest): Promise<TranscriptionJob>;
  check(jobName: string): Promise<TranscriptionJob>;
  /** The transcript text of a COMPLETED job. */
  fetchTranscript(jobName: string): Promise<string>;
  /**
   * Removes what a finished job left behind (AWS: Transcribe's output document in the bucket;
   * locally: the result file), once its text is stored: nothing else reads it, and nothing
   * expires it. A job with nothing left is not an error.
   */
  discardTranscript(jobName: string): Promise<void>;
}
