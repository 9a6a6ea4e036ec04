import * as z from 'zod';
import { s3Of } from '../../runtime.js';
import { readTranscript, requireAudioFile } from '../audio.js';
import { defineRoute } from '../route.js';
import { audioFileSchema, filenameParams, successSchema } from '../schemas.js';

/** A file's transcript and the buttons that act on it: served by functions/api/audio.ts. */

const status = audioFileSchema.shape.transcript_status;

export const getTranscriptRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/{filename}/transcript',
  fn: 'audio',
  auth: 'user',
  summary: 'The transcript of one audio file and its status.',
  tags: ['audio'],
  params: filenameParams,
  response: z.object({
    filename: z.string(),
    transcript: z.string().nullable(),
    status,
    error: z.string().nullable(),
    transcribed_at: z.string().nullable(),
  }),
  errors: [400, 404, 410],
  async handle({ params, deps }) {
    const record = await requireAudioFile(deps.store, params.filename);
    const transcript = await readTranscript(record, () => s3Of(deps), deps.config.AUDIO_BUCKET);
    return {
      body: {
        filename: record.filename,
        transcript,
        status: record.transcriptStatus,
        error: record.transcriptError,
        transcribed_at: record.transcribedAt,
      },
    };
  },
});

export const deleteTranscriptRoute = defineRoute({
  method: 'DELETE',
  path: '/api/audio/{filename}/transcript',
  fn: 'audio',
  auth: 'user',
  summary: 'Discard the transcript: the file goes back to pending (then POST …/transcribe makes a new one).',
  tags: ['audio'],
  params: filenameParams,
  response: successSchema.extend({ filename: z.string(), transcript_status: status }),
  errors: [400, 404, 409],
  async handle({ params, deps }) {
    await requireAudioFile(deps.store, params.filename);
    const record = await deps.store.setTranscriptStatus({ filename: params.filename, status: 'pending' });
    return {
      body: {
        success: true,
        message: 'Transcript deleted successfully',
        filename: record.filename,
        transcript_status: record.transcriptStatus,
      },
    };
  },
});

export const transcribeRoute = defineRoute({
  method: 'POST',
  path: '/api/audio/{filename}/transcribe',
  fn: 'audio',
  auth: 'user',
  summary:
    'Transcribe a file again: from completed or failed, or from pending when no run is going on for it (its transcript deleted, or its run never started).',
  tags: ['audio'],
  params: filenameParams,
  status: 202,
  response: successSchema.extend({ filename: z.string(), transcript_status: status, status, execution: z.string() }),
  errors: [400, 404, 409],
  async handle({ params, deps }) {
    // Loaded on demand: only this route re-runs a transcription. The Step Functions client behind
    // deps.executions is built by the composition root on the first start.
    const { requestTranscription } = await import('../../ingest/rerun.js');
    const { execution, record } = await requestTranscription(params.filename, {
      store: deps.store,
      executions: deps.executions,
      config: deps.config,
    });
    return {
      body: {
        success: true,
        message: 'Transcription started',
        filename: record.filename,
        transcript_status: record.transcriptStatus,
        status: record.transcriptStatus,
        execution,
      },
    };
  },
});

export const cancelTranscriptionRoute = defineRoute({
  method: 'POST',
  path: '/api/audio/{filename}/transcript/cancel',
  fn: 'audio',
  auth: 'user',
  summary:
    'Cancel a pending or processing transcription: its run is stopped and the file is marked failed ("cancelled"); it can be transcribed again.',
  tags: ['audio'],
  params: filenameParams,
  response: successSchema.extend({
    filename: z.string(),
    transcript_status: status,
    transcript_error: z.string().nullable(),
    stopped: z.array(z.string()),
  }),
  errors: [400, 404, 409],
  async handle({ params, user, deps }) {
    const { cancelTranscription } = await import('../transcription-control.js');
    const { record, stopped } = await cancelTranscription(deps, params.filename, user.username);
    return {
      body: {
        success: true,
        message: 'Transcription cancelled',
        filename: record.filename,
        transcript_status: record.transcriptStatus,
        transcript_error: record.transcriptError,
        stopped,
      },
    };
  },
});

export const transcriptRoutes = [getTranscriptRoute, deleteTranscriptRoute, transcribeRoute, cancelTranscriptionRoute];
