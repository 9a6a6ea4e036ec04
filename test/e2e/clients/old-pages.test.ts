import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpeech } from '../../helpers/local-stack.js';
import {
  adminResult,
  type FrontServer,
  logIn,
  oldPagesMissing,
  readOldPages,
  sessionAt,
  startOldPagesFront,
} from '../../helpers/old-pages.js';
import { ADMIN_PASSWORD, type ConsoleStack, missingTools, startConsoleStack, until } from '../console/harness.js';

/**
 * Local only: the Python service's own pages (login, admin, audio library), read from a clone of its
 * repository at test time and served same-origin in front of `npm start`'s stack, driven in
 * chromium as a person would use them. They must work unchanged: log in; list, create, edit and
 * delete users; list the audio with its transcript badge, play a file, read its transcript, search
 * by a transcript word, upload through their form. The old admin page offers no way to disable a
 * user (is_active is shown, never sent), so none is driven here.
 */
const skipped = oldPagesMissing() ?? (missingTools.length > 0 ? `missing ${missingTools.join(', ')}` : undefined);
const STORY = 'speech story.mp3';
const READER = 'old_page_reader';
const READER_PASSWORD = 'reader-first-password';
const READER_NEW_PASSWORD = 'reader-second-password';

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
    // The old pages report some failures only in an alert() (e.g. "Failed to load transcript").
    const alerts: string[] = [];

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
      // A missing element fails with the locator named, before the test's own timeout.
      page.setDefaultTimeout(10_000);
      page.on('response', (response) => {
        const url = new URL(response.url());
        // The old pages also call the Yoto routes this service does not have (players, cards…).
        if (response.status() >= 400 && /^\/api\/(user|admin|audio|status|health)/.test(url.pathname)) {
          refusals.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
        }
      });
      page.on('dialog', (dialog) => {
        alerts.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
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

    const login = (username: string, password: string) => logIn(stack.url, username, password);
    const sessionOf = (token: string) => sessionAt(stack.url, token);
    const readerItem = () => page.locator(`#users-list .list-item[data-username="${READER}"]`);
    const resultOf = (prefix: 'create-user' | 'edit-user') => adminResult(page, prefix);

    it('creates a user through the old admin form, who can then log in to this API', async () => {
      await page.goto('/admin');
      await page.locator('#users-list .list-item').first().waitFor();
      await page.locator('#username').fill(READER);
      await page.locator('#password').fill(READER_PASSWORD);
      await page.locator('#confirm-password').fill(READER_PASSWORD);
      // Email left empty: the old form then sends `"email": null`.
      await page.locator('#create-user-btn').click();
      const result = await resultOf('create-user');
      expect(result.error, 'the old form showed an error').toBeUndefined();
      expect(result.success).toContain(READER);
      // The page lists the users again two seconds after a creation.
      await readerItem().waitFor({ timeout: 10_000 });
      const stored = await stack.local.deps.store.getUser(READER);
      expect(stored).toMatchObject({ email: null, isAdmin: false, isActive: true });
      expect(await readerItem().getAttribute('data-user-id')).toBe(String(stored?.userId));
      expect(await readerItem().getAttribute('data-is-admin')).toBe('false');
      expect((await readerItem().locator('.badge').textContent())?.trim()).toBe('Active');
      expect(await readerItem().locator('.list-item-details').textContent()).toContain('No email');
      const { status, token } = await login(READER, READER_PASSWORD);
      expect(status).toBe(200);
      expect(await sessionOf(token!)).toMatchObject({ authenticated: true, username: READER, is_admin: false });
    });

    it("edits the user's email, password and admin flag in the old edit dialog", async () => {
      const before = await login(READER, READER_PASSWORD);
      expect(before.status).toBe(200);
      await page.goto('/admin');
      await readerItem().locator('.edit-user-btn').click();
      await page.locator('#edit-user-modal').waitFor();
      expect(await page.locator('#edit-username').textContent()).toBe(READER);
      expect(await page.locator('#edit-email').inputValue()).toBe('');
      await page.locator('#edit-email').fill('reader@example.org');
      await page.locator('#edit-password').fill(READER_NEW_PASSWORD);
      await page.locator('#edit-is-admin').check();
      await page.locator('#edit-user-btn').click();
      const result = await resultOf('edit-user');
      expect(result.error, 'the old dialog showed an error').toBeUndefined();
      expect(result.success).toContain(READER);
      // The page closes the dialog and lists the users again 1.5 s after a change.
      await page.locator('#edit-user-modal').waitFor({ state: 'hidden', timeout: 10_000 });
      await expect.poll(() => readerItem().getAttribute('data-is-admin')).toBe('true');
      expect(await readerItem().getAttribute('data-email')).toBe('reader@example.org');
      expect(await stack.local.deps.store.getUser(READER)).toMatchObject({
        email: 'reader@example.org',
        isAdmin: true,
      });
      expect((await login(READER, READER_PASSWORD)).status).toBe(401);
      const after = await login(READER, READER_NEW_PASSWORD);
      expect(after.status).toBe(200);
      expect(await sessionOf(after.token!)).toMatchObject({ authenticated: true, is_admin: true });
      // A new password ends the sessions opened with the old one.
      expect((await sessionOf(before.token!)).authenticated).toBe(false);
    });

    it('takes the admin flag back in the old edit dialog, leaving the password as it was', async () => {
      await page.goto('/admin');
      await readerItem().locator('.edit-user-btn').click();
      await page.locator('#edit-user-modal').waitFor();
      expect(await page.locator('#edit-is-admin').isChecked()).toBe(true);
      await page.locator('#edit-is-admin').uncheck();
      await page.locator('#edit-user-btn').click();
      const result = await resultOf('edit-user');
      expect(result.error, 'the old dialog showed an error').toBeUndefined();
      await expect.poll(() => readerItem().getAttribute('data-is-admin'), { timeout: 10_000 }).toBe('false');
      expect(await stack.local.deps.store.getUser(READER)).toMatchObject({
        email: 'reader@example.org',
        isAdmin: false,
      });
      const { status, token } = await login(READER, READER_NEW_PASSWORD);
      expect(status).toBe(200);
      expect(await sessionOf(token!)).toMatchObject({ authenticated: true, is_admin: false });
    });

    it('deletes the user through the old delete dialog, who can then no longer log in', async () => {
      const { token } = await login(READER, READER_NEW_PASSWORD);
      await page.goto('/admin');
      await readerItem().locator('.delete-user-btn').click();
      await page.locator('#delete-user-modal').waitFor();
      expect(await page.locator('#delete-username-display').textContent()).toBe(READER);
      await page.locator('#delete-username-input').fill(READER);
      await page.locator('#delete-user-btn').click();
      // On success the page closes the dialog; on a refusal it keeps it open with the API's detail.
      const outcome = async () => ({
        open: await page.locator('#delete-user-modal').isVisible(),
        error: (await page.locator('#delete-user-error').isVisible())
          ? (await page.locator('#delete-user-error-message').textContent())?.trim()
          : undefined,
      });
      await expect
        .poll(async () => (await outcome()).open === false || (await outcome()).error !== undefined)
        .toBe(true);
      expect(await outcome(), 'the old dialog showed an error').toEqual({ open: false, error: undefined });
      expect(await stack.local.deps.store.getUser(READER), 'the store still holds the deleted user').toBeUndefined();
      await expect.poll(() => readerItem().count(), { message: 'the old list still shows the deleted user' }).toBe(0);
      expect(await page.locator('#users-list .list-item[data-username="admin"]').count()).toBe(1);
      expect((await login(READER, READER_NEW_PASSWORD)).status).toBe(401);
      expect((await sessionOf(token!)).authenticated).toBe(false);
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

    it("shows the file's transcript, as this API gives it, in the old transcript dialog", async () => {
      await page.goto('/audio-library');
      const item = page.locator('#audio-list .list-item', { hasText: STORY });
      await item.locator('.badge-transcript').click();
      const options = page.locator('.transcript-options-modal');
      expect(await options.locator('strong').textContent()).toBe(STORY);
      await options.getByRole('button', { name: 'View Transcript' }).click();
      // The page fills the dialog before it shows it; on a failed fetch it raises an alert instead.
      const dialog = page.locator('#transcriptModal');
      await expect
        .poll(async () => ({ alerts: [...alerts], shown: await dialog.isVisible() }))
        .toEqual({ alerts: [], shown: true });
      const shown = await dialog.locator('#transcriptContent').evaluate((content) => {
        const text = (selector: string) => content.querySelector(selector)?.textContent?.trim() ?? null;
        return {
          title: text('.transcript-header h4'),
          text: text('.transcript-text'),
          meta: text('.transcript-meta'),
          all: content.textContent?.replace(/\s+/g, ' ').trim(),
        };
      });
      const answer = await fetch(`${stack.url}/api/audio/${encodeURIComponent(STORY)}/transcript`, {
        headers: { authorization: `Bearer ${(await login('admin', ADMIN_PASSWORD)).token}` },
      });
      expect(answer.status).toBe(200);
      const served = (await answer.json()) as { transcript?: unknown; transcribed_at?: unknown };
      expect(shown, `the dialog shows "${shown.all}"`).toEqual({
        title: STORY,
        text: served.transcript,
        meta: `Transcribed: ${await page.evaluate((at) => new Date(String(at)).toLocaleString(), served.transcribed_at)}`,
        all: shown.all,
      });
      // Not the page's "N/A" for a missing date, nor an empty transcript on both sides.
      expect(served).toMatchObject({ transcript: expect.stringMatching(/\w/), transcribed_at: expect.any(String) });
      expect(Number.isNaN(Date.parse(String(served.transcribed_at)))).toBe(false);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
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

    it('was refused nothing by the routes this service has, and raised no alert', () => {
      expect({ refusals, alerts }).toEqual({ refusals: [], alerts: [] });
    });
  },
);
