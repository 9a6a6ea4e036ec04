import * as z from 'zod';
import { isIgnoredKey, TRANSCRIPTS_PREFIX } from '../../ingest/keys.js';
import { s3Of } from '../../runtime.js';
import { AUDIO_CONTENT_TYPES, AUDIO_TYPES } from '../audio.js';
import { filePart } from '../body.js';
import { fileUrls } from '../file-urls.js';
import { defineRoute } from '../route.js';
import { filenameSchema } from '../schemas.js';

/** Getting audio in: a presigned PUT, or the Python service's upload form. Served by functions/api/audio.ts. */

const uploadUrlBody = z
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
  summary: 'A presigned S3 PUT URL for uploading one audio file of any size.',
  tags: ['audio'],
  body: uploadUrlBody,
  response: z.object({
    url: z.string(),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
    expires_in: z.number().int(),
  }),
  errors: [400],
  async handle({ body, deps }) {
    const { presignUpload } = await import('../objects.js');
    return {
      body: await presignUpload(
        { filename: body.filename, contentType: body.content_type },
        await s3Of(deps),
        deps.config.AUDIO_BUCKET,
      ),
    };
  },
});

// Not strict: the old page's form fields are these, and a form with more is not refused for it.
const uploadBody = z.object({
  file: filePart,
  filename: z.string().max(1024).optional().meta({
    description: 'The name to store it under (sanitized; the file keeps its extension). Default: the file’s own name.',
  }),
  description: z.string().max(4096).optional().meta({ description: 'Echoed back; not stored.' }),
});

export const uploadRoute = defineRoute({
  method: 'POST',
  path: '/api/audio/upload',
  fn: 'audio',
  auth: 'user',
  summary:
    'Upload a file through the API, as the old upload form and recorder do (multipart: file, filename, description). Up to what a Lambda can take; larger files go to POST /api/audio/upload-url.',
  tags: ['audio'],
  body: uploadBody,
  bodyType: 'multipart',
  response: z.object({
    success: z.literal(true),
    filename: z.string(),
    size: z.number().int(),
    duration: z.number().int().nullable(),
    description: z.string(),
    url: z.string(),
    message: z.string(),
    transcript_status: z.literal('pending'),
  }),
  errors: [400, 409, 415],
  async handle({ body, deps }) {
    const [{ storeUpload }, url] = await Promise.all([import('../upload.js'), fileUrls(deps)]);
    const stored = await storeUpload(deps, {
      requested: body.filename?.trim() ? body.filename : body.file.filename,
      part: body.file,
    });
    return {
      body: {
        success: true,
        filename: stored.filename,
        size: stored.size,
        duration: stored.duration,
        description: body.description ?? '',
        url: url(stored.filename),
        message: `Successfully uploaded '${stored.filename}'`,
        transcript_status: 'pending',
      },
    };
  },
});

export const uploadRoutes = [uploadUrlRoute, uploadRoute];
