import * as z from 'zod';
import { fileUrls } from '../file-urls.js';
import { defineRoute } from '../route.js';

/** Text to speech and its voices: served by functions/api/audio.ts. */

const generateBody = z
  .object({
    filename: z
      .string()
      .max(1024)
      .meta({ description: 'The name (sanitized as the Python service did; `.mp3` is added).' }),
    text: z
      .string()
      .min(1, 'give the text to speak')
      .max(12_000)
      .meta({ description: 'Plain text, up to 3,000 characters.' }),
    voice_id: z
      .string()
      .max(100)
      .optional()
      .meta({ description: 'A voice of GET /api/audio/tts/voices (default: the engine’s).' }),
  })
  .strict();

export const generateSpeechRoute = defineRoute({
  method: 'POST',
  path: '/api/audio/generate-tts',
  fn: 'audio',
  auth: 'user',
  summary:
    'Speak a text into an MP3 (Amazon Polly in AWS, espeak-ng locally): stored in S3, completed with the text as its transcript, no transcription run.',
  tags: ['audio'],
  body: generateBody,
  response: z.object({
    success: z.literal(true),
    filename: z.string(),
    size: z.number().int(),
    duration: z.number().int(),
    url: z.string(),
    message: z.string(),
    transcript_status: z.literal('completed'),
    voice_id: z.string(),
    engine: z.string(),
  }),
  errors: [400, 409, 503],
  async handle({ body, deps }) {
    const [{ storeSpeech }, url] = await Promise.all([import('../speech.js'), fileUrls(deps)]);
    const stored = await storeSpeech(deps, { filename: body.filename, text: body.text, voiceId: body.voice_id });
    const note = stored.substitutedFor
      ? ` (${stored.engine} has no voice "${stored.substitutedFor}"; ${stored.voiceId} spoke instead)`
      : '';
    return {
      body: {
        success: true,
        filename: stored.filename,
        size: stored.size,
        duration: stored.duration,
        url: url(stored.filename),
        message: `Successfully generated '${stored.filename}'${note}`,
        transcript_status: 'completed',
        voice_id: stored.voiceId,
        engine: stored.engine,
      },
    };
  },
});

export const voicesRoute = defineRoute({
  method: 'GET',
  path: '/api/audio/tts/voices',
  fn: 'audio',
  auth: 'user',
  summary: 'The voices of the active text-to-speech engine.',
  tags: ['audio'],
  response: z.object({
    voices: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        language_code: z.string(),
        language_name: z.string().nullable(),
        gender: z.string().nullable(),
      }),
    ),
    count: z.number().int(),
  }),
  errors: [503],
  async handle({ deps }) {
    const { toVoice } = await import('../speech.js');
    const voices = (await deps.synthesizer.listVoices()).map(toVoice);
    return { body: { voices, count: voices.length } };
  },
});

export const speechRoutes = [generateSpeechRoute, voicesRoute];
