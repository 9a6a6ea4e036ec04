import { parseBuffer } from 'music-metadata';

/**
 * Seconds of speech in an MP3, read from its frames (music-metadata, every frame counted, so a
 * stream without a Xing header is measured too). 0 when the bytes hold no MPEG audio.
 */
export async function mp3Duration(audio: Uint8Array): Promise<number> {
  const { format } = await parseBuffer(audio, { mimeType: 'audio/mpeg' }, { duration: true });
  return Number.isFinite(format.duration) ? (format.duration as number) : 0;
}
