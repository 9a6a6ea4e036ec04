import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { EspeakSynthesizer, parseEspeakVoices } from '../../../lib/synthesize/espeak.js';
import { createSynthesizer } from '../../../lib/synthesize/synthesizer.js';
import { SynthesisInputError, SynthesizerUnavailableError } from '../../../lib/synthesize/types.js';

/** The bytes parsed as what they are, not as what they claim: an MPEG stream of Layer 3 frames. */
async function readMp3(audio: Uint8Array) {
  const parsed = await parseBuffer(audio, { mimeType: 'audio/mpeg' }, { duration: true });
  expect(parsed.format.container).toMatch(/MPEG/);
  expect(parsed.format.codec).toMatch(/^MPEG [12](\.5)? Layer 3$/);
  expect(Number.isFinite(parsed.format.duration)).toBe(true);
  return parsed;
}

/** The local synthesizer with Debian's espeak-ng and lame (installed by .ci/run). */
describe('espeak-ng synthesizer', () => {
  it('speaks text into an MP3 that music-metadata reads with a finite duration', async () => {
    const speech = await new EspeakSynthesizer().synthesize('The quick brown fox jumps over the lazy dog.');
    const { format } = await readMp3(speech.audio);
    expect(format.duration).toBeGreaterThan(1);
    expect(speech).toMatchObject({ contentType: 'audio/mpeg', voiceId: 'en-us', characters: 44, engine: 'espeak-ng' });
    expect(speech.durationSeconds).toBeCloseTo(format.duration as number, 1);
  });

  it('makes the MP3 with ffmpeg when lame is missing, and speaks text that looks like options', async () => {
    const speech = await new EspeakSynthesizer({ lame: 'lame-not-installed-here' }).synthesize('--help -v xx', 'en-gb');
    const { format, native } = await readMp3(speech.audio);
    expect(speech).toMatchObject({ contentType: 'audio/mpeg', voiceId: 'en-gb', engine: 'espeak-ng' });
    // ffmpeg tags its MP3 with its muxer's name (ID3v2 TSSE "Lavf…"); lame writes no ID3 tag.
    expect(Object.values(native).flat()).toContainEqual({ id: 'TSSE', value: expect.stringMatching(/^Lavf/) });
    // Every token spoken, none taken as an option: "dash dash help dash v x x" lasts 1.7 s here,
    // "help" alone under 1 s; espeak-ng's --help would have spoken nothing.
    expect(format.duration).toBeGreaterThan(1.2);
    expect(format.duration).toBeLessThan(4);
    expect(speech.durationSeconds).toBeCloseTo(format.duration as number, 1);
  });

  it('lists its voices from espeak-ng --voices, and refuses one it does not have', async () => {
    const synthesizer = new EspeakSynthesizer();
    const voices = await synthesizer.listVoices();
    expect(voices.length).toBeGreaterThan(50);
    expect(voices).toContainEqual({ id: 'en-us', name: 'English (America)', languageCode: 'en-us', gender: 'Male' });
    const error = await synthesizer.synthesize('hello', 'xx-nowhere').catch((e) => e);
    expect(error).toBeInstanceOf(SynthesisInputError);
    expect(error.message).toMatch(/Unknown voice "xx-nowhere"/);
  });

  it('says how to install espeak-ng when it is missing', async () => {
    const missing = new EspeakSynthesizer({ espeak: 'espeak-ng-not-installed-here' });
    for (const call of [() => missing.listVoices(), () => missing.synthesize('hello')]) {
      const error = await call().catch((e) => e);
      expect(error).toBeInstanceOf(SynthesizerUnavailableError);
      expect(error.message).toMatch(
        /espeak-ng-not-installed-here not found.*sudo apt-get install espeak-ng lame.*SYNTHESIZER=aws/,
      );
    }
    const noEncoder = new EspeakSynthesizer({ lame: 'no-lame', ffmpeg: 'no-ffmpeg' });
    await expect(noEncoder.synthesize('hello')).rejects.toThrow(/Neither no-lame nor no-ffmpeg was found/);
  });

  it('is what createSynthesizer builds for SYNTHESIZER=local, with TTS_VOICE as the default voice', async () => {
    const synthesizer = createSynthesizer({
      SYNTHESIZER: 'local',
      AWS_REGION: 'us-east-1',
      TTS_VOICE: 'de',
      POLLY_ENGINE: 'neural',
    });
    expect((await synthesizer.synthesize('Guten Tag')).voiceId).toBe('de');
  });

  it('parses the voice table, names with spaces and both genders', () => {
    const output = [
      'Pty Language       Age/Gender VoiceName          File                 Other Languages',
      ' 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)',
      ' 5  xx              --/F      Test_Voice         xx/test',
      '',
    ].join('\n');
    expect(parseEspeakVoices(output)).toEqual([
      { id: 'en-gb', name: 'English (Great Britain)', languageCode: 'en-gb', gender: 'Male' },
      { id: 'xx', name: 'Test Voice', languageCode: 'xx', gender: 'Female' },
    ]);
  });
});
