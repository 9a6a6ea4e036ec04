import * as z from 'zod';
import { TRANSCRIPT_STATUSES } from '../model/status.js';
import { checkFilename } from '../store/common.js';

/** Rows the old pages get without `limit`: they never page. Here, not in audio.ts, so the user and admin bundles need not load the audio helpers. */
export const UNPAGED_LIMIT = 1_000;

/**
 * The zod schemas of the API: request schemas validate (and are `.strict()` where an unknown
 * field could escalate privileges), response schemas document. Both feed the OpenAPI document.
 */

export const detailSchema = z.object({ detail: z.string() });

/** An S3 key as a path parameter: the store's rules plus no `..` segments. */
export const filenameSchema = z
  .string()
  .superRefine((value, ctx) => {
    try {
      checkFilename(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return;
    }
    if (value.split(/[/\\]/).some((segment) => segment === '..')) {
      ctx.addIssue({ code: 'custom', message: 'Invalid filename: ".." path segments are not allowed.' });
    }
  })
  .meta({ description: 'The S3 object key, URL-encoded in the path.' });

export const filenameParams = z.object({ filename: filenameSchema });

export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(UNPAGED_LIMIT)
    .optional()
    .meta({
      description: `Page size, 1–${UNPAGED_LIMIT}; without it up to ${UNPAGED_LIMIT} files (the old pages never page).`,
    }),
  cursor: z.string().max(4096).optional().meta({ description: 'The next_cursor of the previous page, unchanged.' }),
});

/** Longest search text (the store's limit). */
export const MAX_QUERY_BYTES = 1024;

export const searchQuery = pageQuery.extend({
  q: z
    .string()
    .trim()
    .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_QUERY_BYTES, `use at most ${MAX_QUERY_BYTES} bytes`)
    .default('')
    .meta({
      description:
        'Any part of a filename (case-insensitive), or a word of the transcript (one word of 3+ characters, as a prefix). Empty: every file.',
    }),
});

export const usernameSchema = z
  .string()
  .min(3)
  .max(50)
  .regex(/^[A-Za-z0-9_-]+$/, 'use only letters, digits, "_" and "-"');
/**
 * Any password as sent, new or old: at most 1,024 bytes (MAX_PASSWORD_BYTES of lib/auth/passwords.ts,
 * not imported from there: that module loads argon2, which the audio and meta functions do not need).
 */
export const passwordText = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 1024, 'use at most 1,024 bytes');
/** A new password. */
export const passwordSchema = passwordText.min(8, 'use at least 8 characters');
export const emailSchema = z.email().max(254).nullable();

export const publicUserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string().nullable(),
  is_active: z.boolean(),
  is_admin: z.boolean(),
  created_at: z.string(),
});

const statusSchema = z.enum(TRANSCRIPT_STATUSES);

export const audioFileSchema = z.object({
  filename: z.string(),
  size: z.number().int(),
  duration: z.number().int().nullable(),
  url: z.string().meta({
    description:
      'The stream URL (GET /api/audio/{filename}), relative to the API: signed, so players need no session, unless PUBLIC_AUDIO.',
  }),
  is_static: z.literal(false),
  transcript: z.object({ status: statusSchema, has_transcript: z.boolean() }),
  transcript_status: statusSchema,
  transcript_error: z.string().nullable(),
  has_transcript: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  transcribed_at: z.string().nullable(),
});

export const audioPageSchema = z.object({
  files: z.array(audioFileSchema),
  count: z.number().int(),
  next_cursor: z.string().nullable(),
});

const searchResultSchema = audioFileSchema.extend({
  transcript: z
    .string()
    .nullable()
    .meta({ description: 'At most 200 characters of the transcript around the matching word; null without one.' }),
  matched: z.enum(['filename', 'transcript']).nullable(),
});

export const searchPageSchema = z.object({
  query: z.string(),
  results: z.array(searchResultSchema),
  count: z.number().int(),
  next_cursor: z.string().nullable(),
});

export const successSchema = z.object({ success: z.boolean(), message: z.string() });
