import { ValidationError } from '../errors.js';
import { headObject } from '../ingest/head.js';
import { PROVIDED_TRANSCRIPT_METADATA } from '../ingest/register.js';
import { type Deps, s3Of } from '../runtime.js';
import type { Voice } from '../synthesize/types.js';
import { existsError, putNewObject } from './objects.js';
import { sanitizeBaseName } from './upload-name.js';

/**
 * Text to speech (`POST /api/audio/generate-tts`): the Synthesizer port (Amazon Polly in AWS,
 * espeak-ng locally) speaks the text, the MP3 goes to S3, and the row is `completed` with the
 * text as its transcript. No transcription runs: the object carries PROVIDED_TRANSCRIPT_METADATA,
 * and RegisterUpload ends the run its S3 event starts quietly when the row is the one written
 * here (completed, same size), so the event changes nothing.
 */

export interface SpeechInput {
  filename: string;
  text: string;
  voiceId?: string | undefined;
}

export interface StoredSpeech {
  filename: string;
  size: number;
  duration: number;
  voiceId: string;
  engine: string;
  /** Set when the engine has no voice of the requested id and its default spoke instead. */
  substitutedFor?: string;
}

/** The Python service's words for a name with nothing left. */
const NOTHING_LEFT = 'Invalid filename. Use only letters, numbers, hyphens, underscores, and spaces.';

/**
 * Speaks `text` into `<sanitized filename>.mp3`: 409 when that object exists (checked before
 * anything is synthesized), 400 for text or a voice the engine refuses. The row is written
 * `completed` before the object, so the S3 event finds it; if the object cannot be written, the
 * row it created goes again.
 */
export async function storeSpeech(deps: Deps, input: SpeechInput): Promise<StoredSpeech> {
  const base = sanitizeBaseName(input.filename);
  if (!base) throw new ValidationError(NOTHING_LEFT);
  const filename = `${base}.mp3`;
  const bucket = deps.config.AUDIO_BUCKET;
  const s3 = await s3Of(deps);
  if (await headObject(s3, bucket, filename)) throw existsError(filename);

  const voice = await voiceFor(deps, input.voiceId);
  const speech = await deps.synthesizer.synthesize(input.text, voice.use);
  const size = speech.audio.byteLength;
  const duration = Math.round(speech.durationSeconds);

  const existed = (await deps.store.getAudioFile(filename)) !== undefined;
  await deps.store.upsertAudioFile({ filename, size, duration });
  await deps.store.setTranscriptStatus({ filename, status: 'processing' });
  await deps.store.updateTranscript({ filename, transcript: input.text.trim(), status: 'completed' });
  try {
    await putNewObject(s3, {
      bucket,
      key: filename,
      body: speech.audio,
      contentType: 'audio/mpeg',
      metadata: { ...PROVIDED_TRANSCRIPT_METADATA },
    });
  } catch (error) {
    if (!existed) await deps.store.deleteAudioFile(filename).catch(() => undefined);
    throw error;
  }
  deps.logger.info('Speech stored', { key: filename, size, duration, voice: speech.voiceId, engine: speech.engine });
  return {
    filename,
    size,
    duration,
    voiceId: speech.voiceId,
    engine: speech.engine,
    ...(voice.substitutedFor ? { substitutedFor: voice.substitutedFor } : {}),
  };
}

/**
 * The voice to ask for. The old page offers Amazon Polly's voices (Joanna, Matthew, …); espeak-ng
 * has none of them, so locally an unknown voice falls back to the engine's default, and the
 * answer says so. Polly refuses an unknown voice with a 400 naming the voice list.
 */
async function voiceFor(
  deps: Deps,
  requested: string | undefined,
): Promise<{ use: string | undefined; substitutedFor?: string }> {
  const id = requested?.trim();
  if (!id || deps.config.SYNTHESIZER === 'aws') return { use: id || undefined };
  const known = (await deps.synthesizer.listVoices()).some((voice) => voice.id.toLowerCase() === id.toLowerCase());
  return known ? { use: id } : { use: undefined, substitutedFor: id };
}

/** The voices of the active engine, in the API's snake_case. */
export function toVoice(voice: Voice) {
  return {
    id: voice.id,
    name: voice.name,
    language_code: voice.languageCode,
    language_name: voice.languageName ?? null,
    gender: voice.gender ?? null,
  };
}
