import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, type LocalStack, makeSpeech, startLocalStack } from '../helpers/local-stack.js';

/**
 * The one test with the real local engine: speech from espeak-ng, uploaded as WAV and MP3,
 * transcribed by pocketsphinx. Its words are poor on synthetic speech, so the test asserts that
 * there is text, not what it says. Needs espeak-ng, lame, sox, ffmpeg and pocketsphinx (.ci/run
 * installs them).
 */
const tools = ['espeak-ng', 'lame', 'sox', 'ffmpeg', 'pocketsphinx_continuous'];
const missing = tools.filter((tool) => !hasCommand(tool));

describe.skipIf(missing.length > 0)(`real speech through pocketsphinx (needs ${tools.join(', ')})`, () => {
  let stack: LocalStack;
  let audioDir: string;

  beforeAll(async () => {
    audioDir = mkdtempSync(join(tmpdir(), 'speech-'));
    // Polls every 100 ms; the bound (600 checks) leaves a minute for the engine on a busy machine.
    stack = await startLocalStack({
      env: { TRANSCRIBER: 'local', LOCAL_WAIT_MS: '100', TRANSCRIPTION_MAX_CHECKS: '600' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(audioDir, { recursive: true, force: true });
  });

  it.each(['wav', 'mp3'] as const)(
    'a %s of speech ends completed with text and its duration within 0.5 s',
    async (format) => {
      const speech = makeSpeech(
        audioDir,
        'The quick brown fox jumps over the lazy dog. Hello from the audio pipeline.',
        format,
      );
      const key = `speech sample.${format}`;
      const row = await stack.upload(key, speech.bytes);
      expect(row?.transcriptError).toBeNull();
      expect(row?.transcriptStatus).toBe('completed');
      expect(row?.transcript?.trim().length).toBeGreaterThan(0);
      expect(row?.size).toBe(speech.bytes.length);
      // The row keeps whole seconds; compare the exact probe from the execution with sox.
      const [summary] = (await stack.pipeline.history.list()).filter((e) => e.name.includes(format));
      const record = await stack.pipeline.history.get(summary?.name ?? '');
      const probed = (record.output as { registered: { duration: number } }).registered.duration;
      expect(Math.abs(probed - speech.seconds)).toBeLessThan(0.5);
      expect(Math.abs((row?.duration ?? -1) - speech.seconds)).toBeLessThan(1);
    },
    120_000,
  );
});
