import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onPath } from '../transcribe/pocketsphinx.js';
import { mp3Duration } from './duration.js';
import {
  checkText,
  pickVoice,
  type SynthesizedSpeech,
  type Synthesizer,
  SynthesizerUnavailableError,
  type Voice,
} from './types.js';

const run = promisify(execFile);

export const ESPEAK_INSTALL_HINT =
  'Local text to speech needs espeak-ng and lame (or ffmpeg): install them (sudo apt-get install espeak-ng lame), or set SYNTHESIZER=aws.';

export interface EspeakOptions {
  /** Voice when a request names none (default `en-us`). */
  defaultVoice?: string;
  /** Executables, looked up on PATH. */
  espeak?: string;
  lame?: string;
  ffmpeg?: string;
  /** Where the WAV and MP3 of one request are made (a fresh directory each time). */
  workDir?: string;
  /** Kills a child process that runs longer than this. */
  timeoutMs?: number;
}

/**
 * Parses `espeak-ng --voices`: a header, then one voice per line (priority, language, age/gender,
 * name with `_` for spaces, file, other languages). The language is what `-v` takes.
 */
export function parseEspeakVoices(output: string): Voice[] {
  const voices: Voice[] = [];
  for (const line of output.split('\n').slice(1)) {
    const [, language, ageGender, name] = line.trim().split(/\s+/);
    if (!language || !name) continue;
    const gender = ageGender?.endsWith('/F') ? 'Female' : ageGender?.endsWith('/M') ? 'Male' : undefined;
    voices.push({
      id: language,
      name: name.replace(/_/g, ' '),
      languageCode: language,
      ...(gender ? { gender } : {}),
    });
  }
  return voices;
}

/**
 * espeak-ng on the machine (Debian's espeak-ng package): it writes WAV (`-w`), and lame (or, if
 * lame is missing, ffmpeg) makes the MP3. The text goes through a file (`-f`), never the command
 * line, so its length and its characters cannot be taken for options. When a program is missing,
 * every call fails with a SynthesizerUnavailableError that says what to install.
 */
export class EspeakSynthesizer implements Synthesizer {
  readonly engine = 'espeak-ng' as const;
  private voices: Promise<Voice[]> | undefined;
  private readonly espeak: string;
  private readonly lame: string;
  private readonly ffmpeg: string;
  private readonly defaultVoice: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: EspeakOptions = {}) {
    this.espeak = options.espeak ?? 'espeak-ng';
    this.lame = options.lame ?? 'lame';
    this.ffmpeg = options.ffmpeg ?? 'ffmpeg';
    this.defaultVoice = options.defaultVoice ?? 'en-us';
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  listVoices(): Promise<Voice[]> {
    this.voices ??= (async () => {
      if (!(await onPath(this.espeak)))
        throw new SynthesizerUnavailableError(`${this.espeak} not found. ${ESPEAK_INSTALL_HINT}`);
      return parseEspeakVoices(await this.exec(this.espeak, ['--voices'], 'espeak-ng could not list its voices'));
    })();
    // A failure (e.g. not installed yet) is not remembered: installing the package fixes the next call.
    this.voices.catch(() => {
      this.voices = undefined;
    });
    return this.voices;
  }

  async synthesize(text: string, voiceId?: string): Promise<SynthesizedSpeech> {
    const checked = checkText(text);
    const voice = pickVoice(await this.listVoices(), voiceId, this.defaultVoice);
    const encoder = await this.encoder();
    const dir = await mkdtemp(join(this.options.workDir ?? tmpdir(), 'espeak-'));
    try {
      const [input, wav, mp3] = ['text.txt', 'speech.wav', 'speech.mp3'].map((name) => join(dir, name)) as [
        string,
        string,
        string,
      ];
      await writeFile(input, checked.text, 'utf8');
      await this.exec(this.espeak, ['-v', voice.id, '-w', wav, '-f', input], 'espeak-ng could not speak the text');
      if (encoder === 'lame') await this.exec(this.lame, ['--quiet', wav, mp3], 'lame could not make the MP3');
      else {
        await this.exec(
          this.ffmpeg,
          ['-nostdin', '-loglevel', 'error', '-y', '-i', wav, '-codec:a', 'libmp3lame', '-q:a', '4', mp3],
          'ffmpeg could not make the MP3',
        );
      }
      const audio = new Uint8Array(await readFile(mp3));
      return {
        audio,
        contentType: 'audio/mpeg',
        voiceId: voice.id,
        characters: checked.characters,
        durationSeconds: await mp3Duration(audio),
        engine: this.engine,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async encoder(): Promise<'lame' | 'ffmpeg'> {
    if (await onPath(this.lame)) return 'lame';
    if (await onPath(this.ffmpeg)) return 'ffmpeg';
    throw new SynthesizerUnavailableError(`Neither ${this.lame} nor ${this.ffmpeg} was found. ${ESPEAK_INSTALL_HINT}`);
  }

  private async exec(command: string, args: string[], failure: string): Promise<string> {
    try {
      const { stdout } = await run(command, args, { timeout: this.timeoutMs, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      throw new Error(`${failure}: ${detail.slice(0, 500)}`);
    }
  }
}
