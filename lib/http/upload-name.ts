import { basename, extname } from 'node:path';
import { UnsupportedMediaError, ValidationError } from '../errors.js';
import { EXTENSIONS, MEDIA_FORMATS, type MediaFormat, mediaFormat, SUPPORTED_FORMATS } from '../ingest/media.js';
import { checkFilename } from '../store/common.js';

/**
 * The name an upload through the form (`POST /api/audio/upload`) is stored under, as the Python
 * service made it: the requested name trimmed and stripped of an audio extension, then only
 * letters, digits, `-` and `_` kept, each space turned into `-`, everything else dropped. Unlike
 * the Python service (which converted every upload to MP3), the file keeps its own format: the
 * extension of the uploaded file, else of the requested name, else the one of its content type.
 */

/** The Python service's words for a name with nothing left. */
const NOTHING_LEFT = 'Invalid filename. Use only letters, numbers, hyphens, underscores, and spaces.';

/** What remains of a requested name under the Python service's rule (code point by code point, as Python iterates). */
export function sanitizeBaseName(requested: string): string {
  let name = requested.trim();
  const extension = extname(name).slice(1).toLowerCase();
  if (extension && EXTENSIONS[extension]) name = name.slice(0, -(extension.length + 1));
  return Array.from(name)
    .map((char) => (/^[\p{L}\p{N}_-]$/u.test(char) ? char : char === ' ' ? '-' : ''))
    .join('');
}

export interface UploadedPart {
  /** The file part's own name, as the browser sent it (a recorder sends e.g. `recording.webm`). */
  filename: string;
  mimetype: string;
}

/**
 * The stored name of an upload, and its format. A name with nothing left is a ValidationError in
 * the Python service's words; a file of a format that cannot be transcribed is an
 * UnsupportedMediaError naming the formats that can.
 */
export function uploadName(requested: string, part: UploadedPart): { filename: string; format: MediaFormat } {
  const base = sanitizeBaseName(requested);
  if (!base) throw new ValidationError(NOTHING_LEFT);
  const extension = uploadExtension(requested, part);
  const filename = `${base}.${extension}`;
  checkFilename(filename);
  return { filename, format: mediaFormat(filename) };
}

function uploadExtension(requested: string, part: UploadedPart): string {
  const own = extname(basename(part.filename ?? ''))
    .slice(1)
    .toLowerCase();
  if (own) {
    if (EXTENSIONS[own]) return own;
    throw new UnsupportedMediaError(
      `Unsupported format: ".${own}" files cannot be transcribed. Upload one of: ${SUPPORTED_FORMATS.join(', ')}.`,
    );
  }
  const asked = extname(requested.trim()).slice(1).toLowerCase();
  if (asked && EXTENSIONS[asked]) return asked;
  // A part without a name (a Blob appended without one): its content type decides, as for S3 keys.
  const format = mediaFormat('', part.mimetype);
  return MEDIA_FORMATS[format].extensions[0];
}

/** The content type to store an upload with: the one it was sent with when it fits its format. */
export function uploadContentType(format: MediaFormat, mimetype: string): string {
  const sent = mimetype.split(';')[0]?.trim().toLowerCase() ?? '';
  const types: readonly string[] = MEDIA_FORMATS[format].contentTypes;
  return types.includes(sent) ? sent : (types[0] as string);
}
