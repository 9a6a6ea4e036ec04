import { extname } from 'node:path';
import { UnsupportedMediaError } from '../errors.js';

/**
 * The one media-format table: which file extensions and content types each format Transcribe
 * accepts (amr flac m4a mp3 mp4 ogg webm wav) goes by. The upload-url route (what a client may
 * upload) and RegisterUpload (what the pipeline transcribes) both read it, so they cannot disagree.
 */
export const MEDIA_FORMATS = {
  amr: { extensions: ['amr'], contentTypes: ['audio/amr'] },
  flac: { extensions: ['flac'], contentTypes: ['audio/flac', 'audio/x-flac'] },
  m4a: { extensions: ['m4a'], contentTypes: ['audio/mp4', 'audio/x-m4a', 'audio/m4a'] },
  mp3: { extensions: ['mp3'], contentTypes: ['audio/mpeg', 'audio/mp3'] },
  mp4: { extensions: ['mp4'], contentTypes: ['audio/mp4', 'video/mp4'] },
  // Ogg containers: Vorbis (.ogg, .oga) and Opus (.opus) audio alike.
  ogg: { extensions: ['ogg', 'oga', 'opus'], contentTypes: ['audio/ogg', 'application/ogg', 'audio/opus'] },
  webm: { extensions: ['webm'], contentTypes: ['audio/webm', 'video/webm'] },
  wav: { extensions: ['wav', 'wave'], contentTypes: ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'] },
} as const satisfies Record<string, { extensions: readonly string[]; contentTypes: readonly string[] }>;

export type MediaFormat = keyof typeof MEDIA_FORMATS;

/** The formats, in the order messages list them. */
export const SUPPORTED_FORMATS = Object.keys(MEDIA_FORMATS) as MediaFormat[];

const entries = Object.entries(MEDIA_FORMATS) as [MediaFormat, (typeof MEDIA_FORMATS)[MediaFormat]][];

/** Every accepted extension (no dot, lower case) with its format and the content types a client may declare. */
export const EXTENSIONS: Readonly<Record<string, { format: MediaFormat; contentTypes: readonly string[] }>> =
  Object.fromEntries(
    entries.flatMap(([format, { extensions, contentTypes }]) =>
      extensions.map((extension) => [extension, { format, contentTypes }]),
    ),
  );

/** Content type → format, for keys without an extension (the first format listing a type wins). */
const BY_CONTENT_TYPE: Readonly<Record<string, MediaFormat>> = Object.fromEntries(
  entries.flatMap(([format, { contentTypes }]) => contentTypes.map((type) => [type, format])).reverse(),
);

/**
 * The media format of a key: its extension decides; a key without an extension falls back to the
 * content type. Anything else is an UnsupportedMediaError naming the supported formats.
 */
export function mediaFormat(key: string, contentType?: string | null): MediaFormat {
  const extension = extname(key).slice(1).toLowerCase();
  if (extension) {
    const known = EXTENSIONS[extension];
    if (known) return known.format;
    throw unsupportedFormat(`".${extension}" files`);
  }
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  const byType = type ? BY_CONTENT_TYPE[type] : undefined;
  if (byType) return byType;
  throw unsupportedFormat(type ? `content type ${type} without a file extension` : 'a file without an extension');
}

function unsupportedFormat(what: string): UnsupportedMediaError {
  return new UnsupportedMediaError(
    `Unsupported format: ${what} cannot be transcribed. Upload one of: ${SUPPORTED_FORMATS.join(', ')}.`,
  );
}
