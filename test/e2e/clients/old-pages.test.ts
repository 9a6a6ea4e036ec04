import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpeech } from '../../helpers/local-stack.js';
import { type FrontServer, oldPagesMissing, readOldPages, startOldPagesFront } from '../../helpers/old-pages.js';
import { ADMIN_PASSWORD, type ConsoleStack, missingTools, startConsoleStack, until } from '../console/harness.js';

/**
 * Local only: the Python service's own pages (login, admin, audio library), read from a clone of its
 * repository at test time and served same-origin in front of `npm start`'s stack, driven in
 * chromium as a person would use them. They must work unchanged: log in, list the users, list
 * the audio with its transcript badge, play a file, search by a transcript word, upload through
 * their form.
 */
const skipped = oldPagesMissing() ?? (missingTools.length > 0 ? `missing ${missingTools.join(', ')}` : undefined);
const STORY = 'speech story.mp3';

describe.skipIf(skipped !== undefined)(
  `the old service's own pages against this API${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    let stack: ConsoleStack;
    let front: FrontServer;
    let context: BrowserContext;
    let page: Page;
    let audioDir: string;
    let pagesDir: string;
    let mp3: Buffer;
    const refusals: string[] = [];

    beforeAll(async () => {
      const files = readOldPages();
      audioDir = mkdtempSync(join(tmpdir(), 'old-pages-audio-'));
      pagesDir = mkdtempSync(join(tmpdir(), 'old-pages-none-'));
      const story = makeSpeech(audioDir, 'The captain sailed the boat across the quiet harbour at dawn.', 'mp3');
      mp3 = makeSpeech(audioDir, 'Thank you for listening to the evening weather report.', 'mp3').bytes;
      stack = await startConsoleStack({ consoleDir: pagesDir });
      front = await startOldPagesFront(stack.url, files);
      // A file uploaded as with any S3 client, processed by the pipeline before the pages look.
      await stack.local.deps.s3!.send(new PutObjectCommand({ Bucket: 'audio', Key: STORY, Body: story.bytes }));
      await waitForStatus(STORY, 'completed');
      context = await stack.browser.newContext({ baseURL: front.url, viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.on('response', (response) => {
        const url = new URL(response.url());
        // The old pages also call the Yoto routes this service does not have (players, cards…).
        if (response.status() >= 400 && /^\/api\/(user|admin|audio|status|health)/.test(url.pathname)) {
          refusals.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
        }
      });
    }, 180_000);
    afterAll(async () => {
      await context?.close();
      await front?.close();
      await stack?.close();
      for (const dir of [audioDir, pagesDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const waitForStatus = (filename: string, status: string) =>
      until(
        async () => (await stack.local.deps.store.getAudioFile(filename))?.transcriptStatus,
        (value) => value === status,
        120_000,
      );

    it('logs in on the old login page and lands on the dashboard with the session cookie', async () => {
      await page.goto('/login');
      await page.locator('#username').fill('admin');
      await page.locator('#password').fill(ADMIN_PASSWORD);
      await page.locator('#login-button').click();
      await page.waitForURL(`${front.url}/`);
      const cookie = (await context.cookies()).find((c) => c.name === 'session');
      expect(cookie).toMatchObject({ httpOnly: true });
    });

    it('lists the users on the old admin page (not "Failed to load users")', async () => {
      await page.goto('/admin');
      const users = page.locator('#users-list .list-item');
      await expect.poll(() => users.count()).toBeGreaterThan(0);
      expect(await page.locator('#users-list').textContent()).not.toMatch(/Failed to load users/);
      expect(await page.locator('#users-list .list-item[data-username="admin"]').getAttribute('data-is-admin')).toBe(
        'true',
      );
      await expect.poll(() => page.locator('#app-version').textContent()).toMatch(/^v\d+\.\d+\.\d+/);
    });

    it('lists the audio on the old library page with its transcript badge, and plays it', async () => {
      await page.goto('/audio-library');
      const item = page.locator('#audio-list .list-item', { hasText: STORY });
      await item.waitFor();
      expect((await item.locator('.badge-transcript').textContent())?.trim()).toBe('✓ Transcript');
      const src = await item.locator('audio source').getAttribute('src');
      expect(src).toMatch(/^\/api\/audio\/speech%20story\.mp3\?expires=\d+&signature=[\w-]{22}$/);
      await item.locator('audio').evaluate((audio) => {
        const element = audio as unknown as { preload: string; load(): void };
        element.preload = 'metadata';
        element.load();
      });
      await expect
        .poll(() => item.locator('audio').evaluate((audio) => (audio as unknown as { duration: number }).duration), {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
      const seconds = await item
        .locator('audio')
        .evaluate((audio) => (audio as unknown as { duration: number }).duration);
      expect(Number.isFinite(seconds)).toBe(true);
      expect(Math.abs(seconds - Number((await stack.local.deps.store.getAudioFile(STORY))?.duration))).toBeLessThan(
        1.5,
      );
    });

    it('finds the file by a word of its transcript in the old search box', async () => {
      const transcript = (await stack.local.deps.store.getAudioFile(STORY))?.transcript ?? '';
      const word = transcript
        .toLowerCase()
        .split(/[^a-z]+/)
        .find((w) => w.length >= 4 && !STORY.includes(w));
      expect(word, `a word of 4+ letters, not in the name, in "${transcript}"`).toBeDefined();
      await page.goto('/audio-library');
      await page.locator('#create-playlist-btn').click();
      await page.locator('#audio-search').fill(word!);
      const result = page.locator('#search-results .search-result-item');
      await expect.poll(() => result.locator('.result-filename').allTextContents()).toEqual(['speech story']);
      expect(await result.locator('.result-transcript').textContent()).toContain(word);
    });

    it('uploads through the old upload form, and the file reaches completed', async () => {
      await page.goto('/audio-library');
      await page.locator('#upload-file').setInputFiles({ name: 'report.mp3', mimeType: 'audio/mpeg', buffer: mp3 });
      await page.locator('#upload-filename').fill('Evening Report');
      await page.locator('#upload-description').fill('from the old form');
      await page.locator('#upload-submit-btn').click();
      await expect
        .poll(() => page.locator('#upload-success-message').textContent(), { timeout: 20_000 })
        .toBe("Successfully uploaded 'Evening-Report.mp3'");
      await waitForStatus('Evening-Report.mp3', 'completed');
      await page.reload();
      const item = page.locator('#audio-list .list-item', { hasText: 'Evening-Report.mp3' });
      await item.waitFor();
      expect((await item.locator('.badge-transcript').textContent())?.trim()).toBe('✓ Transcript');
    }, 150_000);

    it('was refused nothing by the routes this service has', () => {
      expect(refusals).toEqual([]);
    });
  },
);
