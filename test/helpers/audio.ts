import { execFileSync } from 'node:child_process';

/** Test audio built in memory, so most pipeline tests need no external tools. */

/** A valid PCM WAV of silence: 8 kHz, 8-bit mono (8,000 bytes per second plus a 44-byte header). */
export function silentWav(seconds: number, sampleRate = 8000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate, 28); // byte rate (1 byte per sample)
  header.writeUInt16LE(1, 32); // block align
  header.writeUInt16LE(8, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples, 40);
  return Buffer.concat([header, Buffer.alloc(samples, 0x80)]);
}

/**
 * An MP3 of silence: silentWav encoded by lame (Debian's, installed by .ci/run; check with
 * hasCommand('lame')), through pipes. For tests whose keys must end in `.mp3`.
 */
export function silentMp3(seconds: number): Buffer {
  return execFileSync('lame', ['--quiet', '-', '-'], { input: silentWav(seconds) });
}
