import {
  DescribeVoicesCommand,
  type Engine,
  type PollyClient,
  SynthesizeSpeechCommand,
  type VoiceId,
} from '@aws-sdk/client-polly';
import { mp3Duration } from './duration.js';
import {
  checkText,
  pickVoice,
  SynthesisInputError,
  type SynthesizedSpeech,
  type Synthesizer,
  type Voice,
} from './types.js';

export interface PollyOptions {
  polly: PollyClient;
  /** Polly engine: only its voices are offered and used (default `neural`). */
  engine?: Engine;
  /** Voice when a request names none (default `Joanna`, a US English voice of every engine). */
  defaultVoice?: string;
  /** How long the voice list is kept before DescribeVoices is asked again (default 1 h). */
  voicesTtlMs?: number;
  now?: () => number;
}

/** Polly answers these when the request, not the service, is at fault (SynthesizeSpeech API reference, Errors). */
const INPUT_ERRORS = new Set([
  'TextLengthExceededException',
  'EngineNotSupportedException',
  'LanguageNotSupportedException',
  'ValidationException',
]);

/**
 * Amazon Polly: SynthesizeSpeech with OutputFormat mp3 and TextType text (what a person typed is
 * never read as SSML), DescribeVoices (all pages) for the voices of the configured engine. The
 * voice is checked against that list first, so an unknown or unsupported voice is a clear 400
 * before any billed request.
 */
export class PollySynthesizer implements Synthesizer {
  readonly engine = 'polly' as const;
  private voices: { list: Voice[]; at: number } | undefined;
  private readonly pollyEngine: Engine;
  private readonly defaultVoice: string;
  private readonly voicesTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: PollyOptions) {
    this.pollyEngine = options.engine ?? 'neural';
    this.defaultVoice = options.defaultVoice ?? 'Joanna';
    this.voicesTtlMs = options.voicesTtlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  async listVoices(): Promise<Voice[]> {
    if (this.voices && this.now() - this.voices.at < this.voicesTtlMs) return this.voices.list;
    const list: Voice[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.options.polly.send(new DescribeVoicesCommand({ Engine: this.pollyEngine, NextToken }));
      for (const voice of page.Voices ?? []) {
        if (!voice.Id) continue;
        list.push({
          id: voice.Id,
          name: voice.Name ?? voice.Id,
          languageCode: voice.LanguageCode ?? '',
          ...(voice.LanguageName ? { languageName: voice.LanguageName } : {}),
          ...(voice.Gender ? { gender: voice.Gender } : {}),
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    list.sort((a, b) => a.languageCode.localeCompare(b.languageCode) || a.name.localeCompare(b.name));
    this.voices = { list, at: this.now() };
    return list;
  }

  async synthesize(text: string, voiceId?: string): Promise<SynthesizedSpeech> {
    const checked = checkText(text);
    const voice = pickVoice(await this.listVoices(), voiceId, this.defaultVoice);
    let audio: Uint8Array;
    let characters: number;
    try {
      const out = await this.options.polly.send(
        new SynthesizeSpeechCommand({
          Text: checked.text,
          TextType: 'text',
          OutputFormat: 'mp3',
          VoiceId: voice.id as VoiceId,
          Engine: this.pollyEngine,
        }),
      );
      if (!out.AudioStream) throw new Error('Amazon Polly returned no audio stream.');
      audio = await out.AudioStream.transformToByteArray();
      characters = out.RequestCharacters ?? checked.characters;
    } catch (error) {
      const name = (error as Error).name;
      if (INPUT_ERRORS.has(name)) {
        throw new SynthesisInputError(
          `Amazon Polly refused the text or voice (${name}: ${(error as Error).message}).`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    return {
      audio,
      contentType: 'audio/mpeg',
      voiceId: voice.id,
      characters,
      durationSeconds: await mp3Duration(audio),
      engine: this.engine,
    };
  }
}
