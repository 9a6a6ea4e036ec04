import { describe, expect, it } from 'vitest';
import type { Store } from '../../lib/store/store.js';

/**
 * Uploads without an S3 sequencer (the Store contract, part of storeContract): without sequencers
 * on both sides the order is unknown, so the same etag and size is the same upload and anything
 * else is a newer one. Both stores decide alike.
 */
export function uploadContract(current: () => Store): void {
  describe('uploads without a sequencer', () => {
    /** A row in `processing`, so a reset to pending shows. */
    async function processing(store: Store, upload: { etag?: string; sequencer?: string }) {
      await store.upsertAudioFile({ filename: 'u.mp3', size: 10, duration: 2, ...upload });
      await store.setTranscriptStatus({ filename: 'u.mp3', status: 'processing' });
    }

    it('the same etag and size is the same upload: nothing changes', async () => {
      const store = current();
      await processing(store, { etag: 'e1' });
      const before = await store.getAudioFile('u.mp3');
      const again = await store.upsertAudioFile({ filename: 'u.mp3', size: 10, duration: 2, etag: 'e1' });
      expect(again).toEqual(before);
      expect(await store.getAudioFile('u.mp3')).toEqual(before);
    });

    it.each<[string, { etag?: string; size: number }]>([
      ['another etag', { etag: 'e2', size: 10 }],
      ['another size', { etag: 'e1', size: 11 }],
      ['no etag', { size: 10 }],
    ])('%s is a newer upload: back to pending with its values', async (_, upload) => {
      const store = current();
      await processing(store, { etag: 'e1' });
      const reset = await store.upsertAudioFile({ filename: 'u.mp3', duration: 3, ...upload });
      expect(reset).toMatchObject({
        transcriptStatus: 'pending',
        size: upload.size,
        duration: 3,
        etag: upload.etag ?? null,
      });
      expect(await store.getAudioFile('u.mp3')).toEqual(reset);
    });

    it('an event without a sequencer for a row with one is newer, and the stored sequencer is cleared', async () => {
      const store = current();
      await processing(store, { etag: 'e1', sequencer: '0A' });
      const reset = await store.upsertAudioFile({ filename: 'u.mp3', size: 10, duration: 2, etag: 'e1' });
      expect(reset).toMatchObject({ transcriptStatus: 'pending', sequencer: null });
      expect(await store.getAudioFile('u.mp3')).toEqual(reset);
    });

    it('an event with a sequencer for a row without one is newer', async () => {
      const store = current();
      await processing(store, { etag: 'e1' });
      const reset = await store.upsertAudioFile({
        filename: 'u.mp3',
        size: 10,
        duration: 2,
        etag: 'e1',
        sequencer: '0A',
      });
      expect(reset).toMatchObject({ transcriptStatus: 'pending', sequencer: '0A'.padEnd(32, '0') });
      expect(await store.getAudioFile('u.mp3')).toEqual(reset);
    });
  });
}
