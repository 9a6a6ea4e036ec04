import { AppError, ValidationError } from '../errors.js';

/**
 * The Synthesizer port: text to speech, beside the Transcriber. Amazon Polly in AWS, espeak-ng on
 * a laptop; lib/synthesize/synthesizer.ts picks one from SYNTHESIZER. Both return MP3.
 */

export interface Voice {
  /** What to pass as `voiceId` (Polly's voice id, espeak-ng's language/voice name). */
  id: string;
  /** A name to show a person. */
  name: string;
  languageCode: string;
  languageName?: string;
  gender?: 'Female' | 'Male';
}

export interface SynthesizedSpeech {
  /** MP3 bytes. */
  audio: Uint8Array;
  contentType: 'audio/mpeg';
  voiceId: string;
  /** Characters synthesized (what Polly bills). */
  characters: number;
  /** Length of the speech in seconds, read from the MP3 itself. */
  durationSeconds: number;
  engine: 'polly' | 'espeak-ng';
}

export interface Synthesizer {
  readonly engine: 'polly' | 'espeak-ng';
  /**
   * Speaks `text` (plain text, never SSML) with `voiceId`, or the engine's default voice. Text that
   * is empty, too long (MAX_TEXT_CHARACTERS) or a voice the engine does not have is a
   * SynthesisInputError (400) that names the fix; a missing local engine is a
   * SynthesizerUnavailableError that says how to install it.
   */
  synthesize(text: string, voiceId?: string): Promise<SynthesizedSpeech>;
  /** The voices this engine offers (Polly: those of the configured engine). */
  listVoices(): Promise<Voice[]>;
}

/**
 * Longest text one request may speak. Amazon Polly's SynthesizeSpeech takes at most 3,000 billed
 * characters (6,000 in total, SSML tags being unbilled; SynthesizeSpeech API reference,
 * TextLengthExceededException). Plain text is billed in full, so 3,000 is the limit; longer text
 * is refused rather than split, the same on both engines, so a file made locally could be made in
 * AWS too (splitting would mean several MP3 streams with their own headers in one file).
 */
export const MAX_TEXT_CHARACTERS = 3_000;

/** Bad text or voice: the message names the problem and the fix. */
export class SynthesisInputError extends ValidationError {}

/** The configured speech engine cannot run here (e.g. espeak-ng is not installed). */
export class SynthesizerUnavailableError extends AppError {
  override readonly status: number = 503;
}

/**
 * The text as it will be spoken: trimmed, checked for being non-empty, free of control characters
 * other than line breaks and tabs, and at most MAX_TEXT_CHARACTERS characters (code points).
 */
export function checkText(text: unknown): { text: string; characters: number } {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new SynthesisInputError('The text to speak is empty: send the words to say in `text`.');
  }
  const trimmed = text.trim();
  // Control characters would be spoken as nothing (espeak-ng) or rejected (Polly): name them instead.
  if (Array.from(trimmed).some(isControl)) {
    throw new SynthesisInputError(
      'The text contains control characters; send plain text (line breaks and tabs are fine).',
    );
  }
  const characters = Array.from(trimmed).length;
  if (characters > MAX_TEXT_CHARACTERS) {
    throw new SynthesisInputError(
      `The text is ${characters.toLocaleString('en-US')} characters; the limit is ${MAX_TEXT_CHARACTERS.toLocaleString('en-US')} per file (Amazon Polly's limit for one request). Split it into several files.`,
    );
  }
  return { text: trimmed, characters };
}

/** The voice to use: the requested one if the engine has it, else a SynthesisInputError naming where to look. */
export function pickVoice(voices: readonly Voice[], requested: string | undefined, fallback: string): Voice {
  const id = requested?.trim() || fallback;
  const voice = voices.find((v) => v.id === id) ?? voices.find((v) => v.id.toLowerCase() === id.toLowerCase());
  if (voice) return voice;
  throw new SynthesisInputError(
    `Unknown voice "${id}": GET /api/audio/tts/voices lists the ${voices.length} voices of this engine.`,
  );
}

/** C0 controls and DEL, except tab, line feed and carriage return. */
function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
}
