import { PollyClient } from '@aws-sdk/client-polly';
import type { Config } from '../config.js';
import { EspeakSynthesizer } from './espeak.js';
import { PollySynthesizer } from './polly.js';
import type { Synthesizer } from './types.js';

export type { SynthesizedSpeech, Synthesizer, Voice } from './types.js';

/**
 * The synthesizer SYNTHESIZER asks for: `aws` (Amazon Polly, POLLY_ENGINE's voices) or `local`
 * (espeak-ng); TTS_VOICE, when set, is the voice used when a request names none. `polly` replaces
 * the client (tests; the composition root's traced client).
 */
export function createSynthesizer(
  config: Pick<Config, 'SYNTHESIZER' | 'AWS_REGION' | 'TTS_VOICE' | 'POLLY_ENGINE'>,
  clients: { polly?: PollyClient } = {},
): Synthesizer {
  const defaultVoice = config.TTS_VOICE ? { defaultVoice: config.TTS_VOICE } : {};
  if (config.SYNTHESIZER === 'aws') {
    return new PollySynthesizer({
      polly: clients.polly ?? new PollyClient({ region: config.AWS_REGION }),
      engine: config.POLLY_ENGINE,
      ...defaultVoice,
    });
  }
  return new EspeakSynthesizer(defaultVoice);
}
