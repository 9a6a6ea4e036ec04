import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpeech } from '../../helpers/local-stack.js';
import {
  ADMIN_PASSWORD,
  type ConsoleStack,
  expectAccessible,
  expectClean,
  expectOnlyOwnOrigins,
  missingTools,
  openPage,
  screenshot,
  signIn,
  startConsoleStack,
  type Watched,
} from './harness.js';

/**
 * The library as a person uses it, in Debian's chromium against `npm start`'s stack with real
 * speech and real pocketsphinx: sign in, drop and pick files (straight to S3, progress, cancel,
 * refusals in the API's words), watch them reach `completed` without reloading, play one, read
 * and copy its transcript, search, page.
 */
const ONE = 'speech one.wav';
const TWO = 'speech two.mp3';

describe.skipIf(missingTools.length > 0)(`library (needs ${missingTools.join(', ') || 'nothing missing'})`, () => {
  let stack: ConsoleStack;
  let desk: Watched;
  let audioDir: string;
  let one: Buffer;
  let two: Buffer;

  beforeAll(async () => {
    audioDir = mkdtempSync(join(tmpdir(), 'console-audio-'));
    one = makeSpeech(
      audioDir,
      'The quick brown fox jumps over the lazy dog. Hello from the audio pipeline.',
      'wav',
    ).bytes;
    two = makeSpeech(audioDir, 'Testing the web console with a second recording, spoken slowly.', 'mp3').bytes;
    writeFileSync(join(audioDir, ONE), one);
    writeFileSync(join(audioDir, 'notes.txt'), 'not audio at all');
    stack = await startConsoleStack();
    desk = await openPage(stack, 1280);
    await desk.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    rmSync(audioDir, { recursive: true, force: true });
  });

  const row = (page: Page, filename: string) => page.locator(`tr[data-filename="${filename}"]`);

  it('refuses a wrong password in the API’s words, then signs in and holds the HttpOnly session cookie', async () => {
    const { page } = desk;
    await page.goto('/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Incorrect username or password');
    await expectAccessible(page, 'sign-in page');
    await signIn(page, 'admin', ADMIN_PASSWORD);
    const cookie = (await desk.context.cookies()).find((c) => c.name === 'session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('uploads a dropped and a picked file at once, straight to S3, each with its own progress bar', async () => {
    const { page } = desk;
    // Mark the document: a reload would lose the mark.
    await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    const dropped = await page.evaluateHandle(
      ({ name, bytes }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'audio/mpeg' }));
        return transfer;
      },
      { name: TWO, bytes: [...two] },
    );
    await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer: dropped });
    await page.locator('input[type="file"]').setInputFiles(join(audioDir, ONE));

    for (const name of [ONE, TWO]) {
      const upload = page.locator(`li.upload[data-filename="${name}"]`);
      await expect
        .poll(() => upload.locator('.upload-status').textContent(), { timeout: 20_000 })
        .toBe('Uploaded: transcription starts shortly.');
      await expect
        .poll(() => upload.getByRole('progressbar', { name: `Upload of ${name}` }).getAttribute('value'))
        .toBe('100');
    }
    // The bytes went to the S3 endpoint on presigned PUTs, not through the API.
    const puts = desk.requests.filter((url) => url.startsWith(stack.s3) && url.includes('X-Amz-Signature'));
    expect(puts.map((url) => decodeURIComponent(new URL(url).pathname)).sort()).toEqual([
      `/audio/${ONE}`,
      `/audio/${TWO}`,
    ]);
    for (const name of [ONE, TWO]) {
      const head = await stack.local.deps.s3!.send(new HeadObjectCommand({ Bucket: 'audio', Key: name }));
      expect(head.ContentLength).toBe(name === ONE ? one.length : two.length);
    }
  });

  it('shows both files reach completed on screen, live, without a reload', async () => {
    const { page } = desk;
    for (const name of [ONE, TWO]) {
      await expect
        .poll(() => row(page, name).getAttribute('data-status'), { timeout: 120_000, interval: 250 })
        .toBe('completed');
      await expect.poll(() => row(page, name).locator('.badge').textContent()).toBe('completed');
    }
    expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    const cells = await row(page, ONE).locator('td').allTextContents();
    expect(cells[1]).toMatch(/^\d+(\.\d)? KB$/);
    expect(cells[2]).toMatch(/^0:0[1-9]$/);
    expect(cells[4]).toMatch(/^\d+ (s|min)$/);
  }, 150_000);

  it('shows the API’s own words for a refused type, and keeps going with the rest', async () => {
    const { page } = desk;
    await page.locator('input[type="file"]').setInputFiles(join(audioDir, 'notes.txt'));
    const refusal = page.locator('li.upload[data-filename="notes.txt"] .upload-status');
    await expect.poll(() => refusal.getAttribute('role')).toBe('alert');
    const expected = await page.request.post('/api/audio/upload-url', {
      data: { filename: 'notes.txt', content_type: 'text/plain' },
    });
    expect(expected.status()).toBe(400);
    expect(await refusal.textContent()).toBe(((await expected.json()) as { detail: string }).detail);
  });

  it('cancels an upload in flight: nothing is stored', async () => {
    const { page } = desk;
    writeFileSync(join(audioDir, 'cancel me.wav'), one);
    // The PUT is held at the network layer so the upload is still running when Cancel is pressed;
    // the page must then abort it itself (the browser reports the request failed). Once aborted,
    // the held request is dropped as the closed connection would be: continuing it would replay it
    // to S3 without its body.
    let held: (() => Promise<void>) | undefined;
    await page.route(`${stack.s3}/**`, (route) => {
      held = () => route.abort();
    });
    const aborted = page.waitForEvent('requestfailed', {
      predicate: (request) => request.method() === 'PUT' && request.url().startsWith(stack.s3),
      timeout: 10_000,
    });
    await page.locator('input[type="file"]').setInputFiles(join(audioDir, 'cancel me.wav'));
    const upload = page.locator('li.upload[data-filename="cancel me.wav"]');
    await expect.poll(() => held !== undefined).toBe(true);
    await upload.getByRole('button', { name: 'Cancel upload of cancel me.wav' }).click();
    await expect.poll(() => upload.locator('.upload-status').textContent()).toBe('Cancelled: nothing was stored.');
    expect(new URL((await aborted).url()).pathname).toBe('/audio/cancel%20me.wav');
    await held?.().catch(() => undefined);
    await page.unroute(`${stack.s3}/**`);
    await expect(
      stack.local.deps.s3!.send(new HeadObjectCommand({ Bucket: 'audio', Key: 'cancel me.wav' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('asks before replacing a file that exists, and skipping keeps it', async () => {
    const { page } = desk;
    await page.locator('input[type="file"]').setInputFiles(join(audioDir, ONE));
    const upload = page.locator(`li.upload[data-filename="${ONE}"]`).first();
    await upload.getByRole('button', { name: `Skip ${ONE}` }).click();
    await expect.poll(() => page.locator(`li.upload-exists`).count()).toBe(0);
    expect(await row(page, ONE).getAttribute('data-status')).toBe('completed');
  });

  it('is accessible and writes its screenshots at 1280 px and 360 px, with no sideways scrolling on a phone', async () => {
    await expectAccessible(desk.page, 'library');
    await screenshot(desk.page, 'library-1280');
    const phone = await openPage(stack, 360, 780);
    await phone.context.addCookies(await desk.context.cookies());
    await phone.page.goto('/');
    await expect.poll(() => row(phone.page, ONE).getAttribute('data-status')).toBe('completed');
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await row(phone.page, ONE).locator('.narrow-meta').isVisible()).toBe(true);
    await expectAccessible(phone.page, 'library at 360 px');
    await screenshot(phone.page, 'library-360');
    expectClean(phone);
    await phone.context.close();
  });

  it('is reachable by keyboard: Tab reaches the upload button, the search box and a file, Enter opens it', async () => {
    const { page } = desk;
    await page.goto('/');
    await row(page, ONE).waitFor();
    const reached: string[] = [];
    for (let i = 0; i < 40 && !reached.includes(`link:${ONE}`); i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return `${el?.tagName === 'A' ? 'link' : (el?.tagName.toLowerCase() ?? '')}:${el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? ''}`;
        }),
      );
    }
    expect(reached).toContain('button:Choose files…');
    expect(reached.some((entry) => entry.startsWith('input:'))).toBe(true);
    expect(reached).toContain(`link:${ONE}`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: ONE }).waitFor();
  });

  it('plays the file’s stream URL to a finite duration, and shows, scrolls and copies its transcript', async () => {
    const { page } = desk;
    await page.goto(`/#/files/${encodeURIComponent(ONE)}`);
    const transcript = page.getByRole('region', { name: 'Transcript text' });
    await transcript.waitFor();
    const text = (await transcript.textContent())?.trim() ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(text).toBe((await stack.local.deps.store.getAudioFile(ONE))?.transcript?.trim());
    expect(await transcript.getAttribute('tabindex')).toBe('0');
    await page.getByRole('button', { name: 'Copy transcript' }).click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe((await stack.local.deps.store.getAudioFile(ONE))?.transcript);
    await expectAccessible(page, 'file page');
    const duration = await page.waitForFunction(
      () => {
        const audio = document.querySelector('audio');
        return audio && Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : false;
      },
      undefined,
      { timeout: 15_000 },
    );
    expect(
      Math.abs(
        ((await duration.jsonValue()) as number) - Number((await stack.local.deps.store.getAudioFile(ONE))?.duration),
      ),
    ).toBeLessThan(1.5);
  });

  it('finds a file by a filename fragment', async () => {
    const { page } = desk;
    await page.goto('/');
    await page.getByLabel('Search filenames and transcripts').fill('two');
    await expect.poll(() => page.getByTestId('result-count').textContent()).toBe('1 match for “two”');
    await expect
      .poll(() => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-filename'))))
      .toEqual([TWO]);
  });

  it('finds a file by a word of its transcript', async () => {
    const { page } = desk;
    const transcript = (await stack.local.deps.store.getAudioFile(ONE))?.transcript ?? '';
    // A word pocketsphinx really heard (its words on synthetic speech vary), not part of either name.
    const word = transcript
      .toLowerCase()
      .split(/[^a-z]+/)
      .find((w) => w.length >= 4 && !ONE.includes(w) && !TWO.includes(w));
    expect(word, `a word of 4+ letters in "${transcript}"`).toBeDefined();
    await page.goto('/');
    await page.getByLabel('Search filenames and transcripts').fill(word!);
    await expect.poll(() => page.getByTestId('result-count').textContent()).toMatch(new RegExp(`for “${word}”$`));
    await expect.poll(() => row(page, ONE).count(), { timeout: 10_000 }).toBe(1);
  });

  it('pages through more files than fit on one page', async () => {
    const { page } = desk;
    const { store } = stack.local.deps;
    for (let i = 1; i <= 12; i++)
      await store.upsertAudioFile({
        filename: `zz-page-${String(i).padStart(2, '0')}.wav`,
        size: 1000 + i,
        duration: i,
      });
    await page.goto('/');
    await page.getByLabel('Per page').selectOption('10');
    const names = () =>
      page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-filename')));
    await expect.poll(names).toHaveLength(10);
    const first = await names();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(async () => (await names())[0]).not.toBe(first[0]);
    const second = await names();
    expect(second.filter((n) => first.includes(n))).toEqual([]);
    expect(await page.getByText('Page 2', { exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(names).toEqual(first);
    const all = [...first, ...second];
    expect(all).toEqual([...all].sort());
  });

  it('deletes the transcript after confirming, and transcribes the file again', async () => {
    const { page } = desk;
    await page.goto(`/#/files/${encodeURIComponent(TWO)}`);
    await page.getByRole('button', { name: 'Delete transcript' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the transcript?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await stack.local.deps.store.getAudioFile(TWO))?.transcriptStatus).toBe('completed');
    await page.getByRole('button', { name: 'Delete transcript' }).click();
    await dialog.getByRole('button', { name: 'Delete transcript' }).click();
    await expect.poll(() => page.locator('.facts .badge').textContent()).toBe('pending');
    await page.getByRole('button', { name: 'Transcribe again' }).click();
    await expect
      .poll(() => page.locator('.facts .badge').textContent(), { timeout: 60_000, interval: 250 })
      .toBe('completed');
  }, 90_000);

  it('cancels a running transcription after confirming', async () => {
    const { page } = desk;
    await page.goto(`/#/files/${encodeURIComponent(ONE)}`);
    await page.getByRole('button', { name: 'Transcribe again' }).click();
    await page
      .getByRole('dialog', { name: 'Transcribe again?' })
      .getByRole('button', { name: 'Transcribe again' })
      .click();
    await page.getByRole('button', { name: 'Cancel transcription' }).click({ timeout: 10_000 });
    await page
      .getByRole('dialog', { name: 'Cancel the transcription?' })
      .getByRole('button', { name: 'Cancel transcription' })
      .click();
    await expect.poll(() => page.locator('.facts .badge').textContent(), { timeout: 30_000 }).toBe('failed');
    expect(await page.locator('.error-box').textContent()).toMatch(/cancel/i);
  }, 60_000);

  it('deletes a file after confirming: it leaves the library and the bucket', async () => {
    const { page } = desk;
    await page.goto(`/#/files/${encodeURIComponent(TWO)}`);
    await page.getByRole('button', { name: 'Delete file' }).click({ timeout: 10_000 });
    await page
      .getByRole('dialog', { name: `Delete ${TWO}?` })
      .getByRole('button', { name: 'Delete file' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
    await expect.poll(() => row(page, TWO).count()).toBe(0);
    await expect(stack.local.deps.s3!.send(new HeadObjectCommand({ Bucket: 'audio', Key: TWO }))).rejects.toMatchObject(
      {
        name: 'NotFound',
      },
    );
  });

  it('logged no errors, and talked only to its own origin and (presigned) to S3', () => {
    expectClean(desk, [/^POST \/api\/user\/login 401$/, /^POST \/api\/audio\/upload-url 400$/]);
    expectOnlyOwnOrigins(desk.requests, stack);
  });
});
