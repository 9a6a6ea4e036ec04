import * as z from 'zod';
import { isIgnoredKey, TRANSCRIPTS_PREFIX } from '../../ingest/events.js';
import { s3Of } from '../../runtime.js';
import {
  AUDIO_CONTENT_TYPES,
  AUDIO_TYPES,
  presignUpload,
  readTranscript,
  requireAudioFile,
  toAudioFile,
} from '../audio.js';
import { defineRoute } from '../route.js';
import {
  audioFileSchema,
  audioPageSchema,
  filenameParams,
  filenameSchema,
  pageQuery,
  searchQuery,
  successSchema,
} from '../schemas.js';

/** Audio metadata, transcripts and upload URLs: served by functions/api/audio.ts. */

const page = (items: Parameters<typeof toAudioFile>[0][], cursor: string | undefined) => {
  const files = items.map(toAudioFile);
  return { files, count: files.length, next_cursor: cursor ?? null };
};

export const listAudioRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/list',
  fn: 'audio',
  auth: 'user',
  summary: 'List audio files by filename, a page at a time.',
  tags: ['audio'],
  query: pageQuery,
  response: audioPageSchema,
  errors: [400],
  async handle({ query, deps }) {
    const result = await deps.store.listAudioFiles({ limit: query.limit, cursor: query.cursor });
    return { body: page(result.items, result.cursor) };
  },
});

export const searchAudioRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/search',
  fn: 'audio',
  auth: 'user',
  summary: 'Search audio files by any part of the filename (case-insensitive substring).',
  tags: ['audio'],
  query: searchQuery,
  response: audioPageSchema,
  errors: [400],
  async handle({ query, deps }) {
    const result = await deps.store.searchAudioFiles(query.q, { limit: query.limit, cursor: query.cursor });
    return { body: page(result.items, result.cursor) };
  },
});

const uploadBody = z
  .object({
    filename: filenameSchema,
    content_type: z.enum(AUDIO_CONTENT_TYPES as [string, ...string[]], {
      error: `use an audio content type: ${AUDIO_CONTENT_TYPES.join(', ')}`,
    }),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (isIgnoredKey(value.filename)) {
      ctx.addIssue({
        code: 'custom',
        path: ['filename'],
        message: `names under "${TRANSCRIPTS_PREFIX}" are reserved for transcripts; choose another name`,
      });
      return;
    }
    const extension = value.filename.split('.').pop()?.toLowerCase() ?? '';
    const types = AUDIO_TYPES[extension];
    if (!types) {
      ctx.addIssue({
        code: 'custom',
        path: ['filename'],
        message: `unsupported extension; use one of ${Object.keys(AUDIO_TYPES).join(', ')}`,
      });
    } else if (!types.includes(value.content_type)) {
      ctx.addIssue({ code: 'custom', path: ['content_type'], message: `for .${extension} use ${types.join(' or ')}` });
    }
  });

export const uploadUrlRoute = defineRoute({
  method: 'POST',
  path: '/api/audio/upload-url',
  fn: 'audio',
  auth: 'user',
  summary: 'A presigned S3 PUT URL for uploading one audio file.',
  tags: ['audio'],
  body: uploadBody,
  response: z.object({
    url: z.string(),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
    expires_in: z.number().int(),
  }),
  errors: [400],
  async handle({ body, deps }) {
    return {
      body: await presignUpload(
        { filename: body.filename, contentType: body.content_type },
        await s3Of(deps),
        deps.config.AUDIO_BUCKET,
      ),
    };
  },
});

export const getAudioRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/{filename}',
  fn: 'audio',
  auth: 'user',
  summary: 'Metadata of one audio file.',
  tags: ['audio'],
  params: filenameParams,
  response: audioFileSchema,
  errors: [400, 404],
  async handle({ params, deps }) {
    return { body: toAudioFile(await requireAudioFile(deps.store, params.filename)) };
  },
});

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
    status: audioFileSchema.shape.transcript_status,
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
  summary: 'Discard the transcript: the file goes back to pending.',
  tags: ['audio'],
  params: filenameParams,
  response: successSchema.extend({ filename: z.string(), transcript_status: audioFileSchema.shape.transcript_status }),
  errors: [400, 404, 409],
  async handle({ params, deps }) {
    await requireAudioFile(deps.store, params.filename);
    const record = await deps.store.setTranscriptStatus({ filename: params.filename, status: 'pending' });
    return {
      body: {
        success: true,
        message: 'Transcript deleted',
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
  summary: 'Re-run the transcription of a finished (completed or failed) file.',
  tags: ['audio'],
  params: filenameParams,
  status: 202,
  response: successSchema.extend({
    filename: z.string(),
    transcript_status: audioFileSchema.shape.transcript_status,
    execution: z.string(),
  }),
  errors: [400, 404, 409],
  async handle({ params, deps }) {
    // Loaded on demand: the Step Functions client is only needed by this route.
    const [{ executionsOf }, { requestTranscription }] = await Promise.all([
      import('../../ingest/deps.js'),
      import('../../ingest/rerun.js'),
    ]);
    const { execution, record } = await requestTranscription(params.filename, {
      store: deps.store,
      executions: executionsOf(deps),
      config: deps.config,
    });
    return {
      body: {
        success: true,
        message: 'Transcription started',
        filename: record.filename,
        transcript_status: record.transcriptStatus,
        execution,
      },
    };
  },
});

export const audioRoutes = [
  listAudioRoute,
  searchAudioRoute,
  uploadUrlRoute,
  getAudioRoute,
  getTranscriptRoute,
  deleteTranscriptRoute,
  transcribeRoute,
];
