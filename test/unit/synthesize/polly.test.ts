import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  DescribeVoicesCommand,
  type DescribeVoicesCommandOutput,
  PollyClient,
  SynthesizeSpeechCommand,
  TextLengthExceededException,
  ThrottlingException,
} from '@aws-sdk/client-polly';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PollySynthesizer } from '../../../lib/synthesize/polly.js';
import { createSynthesizer } from '../../../lib/synthesize/synthesizer.js';
import { MAX_TEXT_CHARACTERS, SynthesisInputError } from '../../../lib/synthesize/types.js';
import { silentWav } from '../../helpers/audio.js';

const run = promisify(execFile);

/**
 * DescribeVoices pages as the Polly API reference gives them (DescribeVoices, Response Syntax:
 * `{NextToken, Voices: [{AdditionalLanguageCodes, Gender, Id, LanguageCode, LanguageName, Name,
 * SupportedEngines}]}`), with voices from the developer guide's list of available voices.
 */
const VOICES_PAGE_1 = {
  Voices: [
    {
      Gender: 'Female',
      Id: 'Joanna',
      LanguageCode: 'en-US',
      LanguageName: 'US English',
      Name: 'Joanna',
      SupportedEngines: ['neural', 'standard'],
    },
    {
      Gender: 'Male',
      Id: 'Matthew',
      LanguageCode: 'en-US',
      LanguageName: 'US English',
      Name: 'Matthew',
      SupportedEngines: ['neural', 'standard'],
    },
  ],
  NextToken: 'page-2',
};
const VOICES_PAGE_2 = {
  Voices: [
    {
      AdditionalLanguageCodes: ['hi-IN'],
      Gender: 'Female',
      Id: 'Kajal',
      LanguageCode: 'en-IN',
      LanguageName: 'Indian English',
      Name: 'Kajal',
      SupportedEngines: ['neural'],
    },
  ],
};

/** Two seconds of MPEG audio made here with lame, standing in for the bytes Polly streams back. */
let mp3: Buffer;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polly-test-'));
  try {
    await writeFile(join(dir, 'in.wav'), silentWav(2, 22_050));
    await run('lame', ['--quiet', '-t', join(dir, 'in.wav'), join(dir, 'out.mp3')]);
    mp3 = await readFile(join(dir, 'out.mp3'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const json = (body: unknown) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: Readable.from([Buffer.from(JSON.stringify(body))]),
});

describe('Polly synthesizer on the documented HTTP exchange', () => {
  it('POSTs /v1/speech for MP3 of plain text and reads the audio, its type and the billed characters', async () => {
    const requests: { method: string; path: string; query?: unknown; body?: unknown }[] = [];
    // The SDK's own serializer and parser run: only the HTTP round trip is replaced, answered
    // as the SynthesizeSpeech and DescribeVoices API reference pages give the responses.
    const polly = new PollyClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async (request: { method: string; path: string; query?: Record<string, string>; body?: unknown }) => {
          requests.push(request);
          if (request.path === '/v1/voices') {
            return { response: json(request.query?.NextToken ? VOICES_PAGE_2 : VOICES_PAGE_1) };
          }
          return {
            response: {
              statusCode: 200,
              headers: { 'content-type': 'audio/mpeg', 'x-amzn-requestcharacters': '26' },
              body: Readable.from([mp3]),
            },
          };
        },
      } as never,
    });
    const synthesizer = new PollySynthesizer({ polly });

    const speech = await synthesizer.synthesize('  Welcome to the library.  ', 'Matthew');

    expect(Buffer.from(speech.audio).equals(mp3)).toBe(true);
    expect(speech).toMatchObject({ contentType: 'audio/mpeg', voiceId: 'Matthew', characters: 26, engine: 'polly' });
    expect(speech.durationSeconds).toBeGreaterThan(1.9);
    expect(speech.durationSeconds).toBeLessThan(2.2);
    const speak = requests.find((r) => r.path === '/v1/speech')!;
    expect(speak.method).toBe('POST');
    expect(JSON.parse(Buffer.from(speak.body as Uint8Array).toString('utf8'))).toEqual({
      Engine: 'neural',
      OutputFormat: 'mp3',
      Text: 'Welcome to the library.',
      TextType: 'text',
      VoiceId: 'Matthew',
    });
    // Both DescribeVoices pages, asked for the configured engine.
    expect(requests.filter((r) => r.path === '/v1/voices').map((r) => r.query)).toEqual([
      { Engine: 'neural' },
      { Engine: 'neural', NextToken: 'page-2' },
    ]);
  });
});

describe('Polly synthesizer', () => {
  const client = new PollyClient({ region: 'us-east-1' });
  const polly = mockClient(client);
  afterEach(() => polly.reset());

  const voices = () =>
    polly
      .on(DescribeVoicesCommand)
      .resolvesOnce(VOICES_PAGE_1 as DescribeVoicesCommandOutput)
      .resolves(VOICES_PAGE_2 as DescribeVoicesCommandOutput);

  it('lists the voices of every page, sorted by language, and asks again only after an hour', async () => {
    voices();
    let now = 0;
    const synthesizer = new PollySynthesizer({ polly: client, now: () => now });
    const list = await synthesizer.listVoices();
    expect(list).toEqual([
      { id: 'Kajal', name: 'Kajal', languageCode: 'en-IN', languageName: 'Indian English', gender: 'Female' },
      { id: 'Joanna', name: 'Joanna', languageCode: 'en-US', languageName: 'US English', gender: 'Female' },
      { id: 'Matthew', name: 'Matthew', languageCode: 'en-US', languageName: 'US English', gender: 'Male' },
    ]);
    await synthesizer.listVoices();
    expect(polly.commandCalls(DescribeVoicesCommand)).toHaveLength(2);
    now = 3_600_000;
    await synthesizer.listVoices();
    expect(polly.commandCalls(DescribeVoicesCommand)).toHaveLength(3);
  });

  it('refuses an unknown voice before any billed request, naming where the voices are listed', async () => {
    voices();
    const error = await new PollySynthesizer({ polly: client }).synthesize('hello', 'Nobody').catch((e) => e);
    expect(error).toBeInstanceOf(SynthesisInputError);
    expect(error.message).toMatch(/Unknown voice "Nobody": GET \/api\/audio\/tts\/voices lists the 3 voices/);
    expect(polly.commandCalls(SynthesizeSpeechCommand)).toHaveLength(0);
  });

  it('refuses empty text and text over 3,000 characters without calling Polly', async () => {
    voices();
    const synthesizer = new PollySynthesizer({ polly: client });
    await expect(synthesizer.synthesize('   ')).rejects.toThrow(/text to speak is empty/);
    const long = 'é'.repeat(MAX_TEXT_CHARACTERS + 1);
    await expect(synthesizer.synthesize(long)).rejects.toThrow(
      /3,001 characters; the limit is 3,000 per file .*Split it into several files/,
    );
    await expect(synthesizer.synthesize('bell\u0007')).rejects.toThrow(/control characters/);
    expect(polly.calls()).toHaveLength(0);
  });

  it('turns Polly’s TextLengthExceededException into a 400 and lets throttling through to be retried', async () => {
    voices();
    const synthesizer = new PollySynthesizer({ polly: client });
    // The errors Polly answers for text over its limit and for too many requests (SynthesizeSpeech
    // API reference, Errors; ThrottlingException in the service's error list).
    polly
      .on(SynthesizeSpeechCommand)
      .rejectsOnce(
        new TextLengthExceededException({
          message: 'Maximum text length has been exceeded',
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const refused = await synthesizer.synthesize('hello').catch((e) => e);
    expect(refused).toBeInstanceOf(SynthesisInputError);
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/TextLengthExceededException/);
    await expect(synthesizer.synthesize('hello')).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('is what createSynthesizer builds for SYNTHESIZER=aws, with TTS_VOICE as the default voice', async () => {
    voices();
    polly.on(SynthesizeSpeechCommand).resolves({
      AudioStream: { transformToByteArray: async () => new Uint8Array(mp3) } as never,
      ContentType: 'audio/mpeg',
      RequestCharacters: 5,
    });
    const synthesizer = createSynthesizer(
      { SYNTHESIZER: 'aws', AWS_REGION: 'eu-west-1', TTS_VOICE: 'Kajal', POLLY_ENGINE: 'neural' },
      { polly: client },
    );
    expect(synthesizer.engine).toBe('polly');
    expect((await synthesizer.synthesize('hello')).voiceId).toBe('Kajal');
    expect(polly.commandCalls(SynthesizeSpeechCommand)[0]?.args[0].input).toMatchObject({ VoiceId: 'Kajal' });
    expect(createSynthesizer({ SYNTHESIZER: 'local', AWS_REGION: 'x', POLLY_ENGINE: 'neural' }).engine).toBe(
      'espeak-ng',
    );
  });
});
