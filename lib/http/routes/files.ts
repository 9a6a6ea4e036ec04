import { extname } from 'node:path';
import * as z from 'zod';
import { EXTENSIONS } from '../../ingest/media.js';
import { s3Of } from '../../runtime.js';
import type { UserRecord } from '../../store/store.js';
import { collectPages, requireAudioFile, toAudioFile, toSearchResult, UNPAGED_LIMIT } from '../audio.js';
import { fileUrls, STREAM_PATH } from '../file-urls.js';
import { defineRoute, type RouteRequest } from '../route.js';
import {
  audioFileSchema,
  audioPageSchema,
  filenameParams,
  pageQuery,
  searchPageSchema,
  searchQuery,
  successSchema,
} from '../schemas.js';
import { checkStreamSignature, EXPIRES_PARAM, SIGNATURE_PARAM, streamKey } from '../stream.js';

/** Listing, search, the audio itself and per-file metadata and deletion: served by functions/api/audio.ts. */

export const listAudioRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/list',
  fn: 'audio',
  auth: 'user',
  summary: `List audio files by filename: up to ${UNPAGED_LIMIT} without \`limit\`, else a page at a time.`,
  tags: ['audio'],
  query: pageQuery,
  response: audioPageSchema,
  errors: [400],
  async handle({ query, deps }) {
    const [found, url] = await Promise.all([
      collectPages((page) => deps.store.listAudioFiles(page), query.limit ?? UNPAGED_LIMIT, query.cursor),
      fileUrls(deps),
    ]);
    const files = found.items.map((record) => toAudioFile(record, url(record.filename)));
    return { body: { files, count: files.length, next_cursor: found.cursor ?? null } };
  },
});

export const searchAudioRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/search',
  fn: 'audio',
  auth: 'user',
  summary:
    'Search audio files: any part of the filename (case-insensitive), or a word of the transcript (prefix of 3+ characters). Empty `q` lists all.',
  tags: ['audio'],
  query: searchQuery,
  response: searchPageSchema,
  errors: [400],
  async handle({ query, deps }) {
    const [found, url] = await Promise.all([
      collectPages((page) => deps.store.searchAudioFiles(query.q, page), query.limit ?? UNPAGED_LIMIT, query.cursor),
      fileUrls(deps),
    ]);
    const results = found.items.map((hit) => toSearchResult(hit, url(hit.filename)));
    return { body: { query: query.q, results, count: results.length, next_cursor: found.cursor ?? null } };
  },
});

const streamQuery = z.object({
  [EXPIRES_PARAM]: z
    .string()
    .max(20)
    .optional()
    .meta({ description: 'Expiry of a signed stream URL (epoch seconds).' }),
  [SIGNATURE_PARAM]: z.string().max(100).optional().meta({ description: 'Signature of a signed stream URL.' }),
});

type StreamRequest = RouteRequest<
  z.output<typeof filenameParams>,
  z.output<typeof streamQuery>,
  undefined,
  UserRecord | undefined
>;

/**
 * The audio: a session, a valid signature or PUBLIC_AUDIO lets the request through (checked
 * before the store is read), then a 302 to a short-lived presigned S3 GET, so the bytes and every
 * range request go to S3, never through a Lambda.
 */
async function streamAudio({ params, query, user, deps }: StreamRequest) {
  if (!user && !deps.config.PUBLIC_AUDIO) {
    checkStreamSignature(await streamKey(deps), params.filename, query);
  }
  const record = await requireAudioFile(deps.store, params.filename);
  const { presignStream, streamRedirectTtl } = await import('../objects.js');
  const extension = extname(record.filename).slice(1).toLowerCase();
  const location = await presignStream(await s3Of(deps), {
    bucket: deps.config.AUDIO_BUCKET,
    key: record.filename,
    expiresIn: streamRedirectTtl(record.duration),
    contentType: EXTENSIONS[extension]?.contentTypes[0],
  });
  return { content: null, headers: { Location: location } };
}

const streamRoute = (method: 'GET' | 'HEAD') =>
  defineRoute({
    method,
    path: STREAM_PATH,
    fn: 'audio',
    auth: 'optional',
    summary:
      'The audio itself: a 302 to a short-lived presigned S3 GET (range requests then go to S3). Needs a session or the signed `url` of a list, search or upload result, unless PUBLIC_AUDIO=true.',
    tags: ['audio'],
    params: filenameParams,
    query: streamQuery,
    status: 302,
    content: null,
    response: z.null(),
    errors: [400, 401, 403, 404],
    handle: streamAudio,
  });

export const streamAudioRoute = streamRoute('GET');
export const headAudioRoute = streamRoute('HEAD');

export const metadataRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/{filename}/metadata',
  fn: 'audio',
  auth: 'user',
  summary: 'Metadata of one audio file (the list entry of the file).',
  tags: ['audio'],
  params: filenameParams,
  response: audioFileSchema,
  errors: [400, 404],
  async handle({ params, deps }) {
    const [record, url] = await Promise.all([requireAudioFile(deps.store, params.filename), fileUrls(deps)]);
    return { body: toAudioFile(record, url(record.filename)) };
  },
});

export const deleteAudioRoute = defineRoute({
  method: 'DELETE',
  path: '/api/audio/{filename}',
  fn: 'audio',
  auth: 'user',
  summary:
    'Delete a file: its running transcription is stopped, then the object, its transcript object and its row go.',
  tags: ['audio'],
  params: filenameParams,
  response: successSchema.extend({ filename: z.string(), stopped: z.array(z.string()) }),
  errors: [400, 404],
  async handle({ params, user, deps }) {
    const record = await requireAudioFile(deps.store, params.filename);
    const [{ stopRunning }, { deleteAudio }] = await Promise.all([
      import('../transcription-control.js'),
      import('../../ingest/delete.js'),
    ]);
    const stopped =
      record.transcriptStatus === 'pending' || record.transcriptStatus === 'processing'
        ? await stopRunning(deps, record.filename, {
            error: 'Deleted',
            cause: `The file was deleted by ${user.username}.`,
          })
        : [];
    await deleteAudio(record.filename, deps.config.AUDIO_BUCKET, {
      store: deps.store,
      s3: await s3Of(deps),
      logger: deps.logger,
    });
    return {
      body: { success: true, message: `Deleted '${record.filename}'`, filename: record.filename, stopped },
    };
  },
});

export const fileRoutes = [
  listAudioRoute,
  searchAudioRoute,
  streamAudioRoute,
  headAudioRoute,
  metadataRoute,
  deleteAudioRoute,
];
