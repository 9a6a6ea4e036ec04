import * as z from 'zod';
import { TRANSCRIPT_STATUSES } from '../model/status.js';
import { checkFilename } from '../store/common.js';
import { MAX_PAGE_SIZE } from '../store/store.js';

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
    .max(MAX_PAGE_SIZE)
    .optional()
    .meta({ description: `Page size, 1–${MAX_PAGE_SIZE} (default 50).` }),
  cursor: z.string().max(4096).optional().meta({ description: 'The next_cursor of the previous page, unchanged.' }),
});

export const searchQuery = pageQuery.extend({
  q: z.string().trim().min(1, 'give a search text').max(256),
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

export const audioFileSchema = z.object({
  filename: z.string(),
  size: z.number().int(),
  duration: z.number().int().nullable(),
  transcript_status: z.enum(TRANSCRIPT_STATUSES),
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

export const successSchema = z.object({ success: z.boolean(), message: z.string() });
