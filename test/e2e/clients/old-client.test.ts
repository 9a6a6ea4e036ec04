import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpeech } from '../../helpers/local-stack.js';
import {
  ADMIN_PASSWORD,
  type ConsoleStack,
  missingTools,
  openPage,
  startConsoleStack,
  type Watched,
} from '../console/harness.js';

/**
 * A page of our own that talks to the API the way the Python service's pages do, in Debian's
 * chromium against `npm start`'s stack (real S3 endpoint, state machine and pocketsphinx): it logs
 * in and keeps the session in the cookie, lists files and plays one `<audio>` from its `url`
 * field (no cookie reaches S3: the signed URL and the redirect do the work), uploads through a
 * real `<form enctype="multipart/form-data">` and sees the file reach `completed`, and searches by
 * a word of the transcript. The page is served on the API's own origin, as the old pages were.
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>old client</title></head><body>
<form id="login"><input name="username" aria-label="Username"><input name="password" type="password" aria-label="Password"><button>Log in</button></form>
<p id="login-result"></p>
<div id="files"></div>
<form id="upload" enctype="multipart/form-data">
  <input type="file" name="file" aria-label="Audio file"><input name="filename" aria-label="Filename"><textarea name="description" aria-label="Description"></textarea>
  <button>Upload</button>
</form>
<p id="upload-result"></p>
<input id="search" aria-label="Search"><div id="results"></div>
<script src="/old-client.js"></script>
</body></html>`;

const SCRIPT = `  const json = async (response) => ({ status: response.status, body: await response.json() });
  document.getElementById('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const res = await json(await fetch('/api/user/login', {
      method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
    }));
    document.getElementById('login-result').textContent = res.status + ' ' + (res.body.message || res.body.detail);
  });
  window.loadFiles = async () => {
    const res = await json(await fetch('/api/audio/list', { cache: 'no-store' }));
    const list = document.getElementById('files');
    list.replaceChildren(...res.body.files.map((file) => {
      const row = document.createElement('div');
      row.className = 'file';
      row.dataset.filename = file.filename;
      row.dataset.status = file.transcript.status;
      row.dataset.hasTranscript = String(file.transcript.has_transcript);
      const audio = document.createElement('audio');
      audio.controls = true;
      audio.preload = 'none';
      const source = document.createElement('source');
      source.src = file.url;
      source.type = 'audio/mpeg';
      audio.append(source);
      row.append(audio);
      return row;
    }));
    return res.body.count;
  };
  document.getElementById('upload').addEventListener('submit', async (event) => {
    event.preventDefault();
    const res = await json(await fetch('/api/audio/upload', { method: 'POST', body: new FormData(event.target) }));
    document.getElementById('upload-result').textContent = JSON.stringify(res);
  });
  document.getElementById('search').addEventListener('input', async (event) => {
    const q = event.target.value.trim();
    const res = await json(await fetch('/api/audio/search?q=' + encodeURIComponent(q), { cache: 'no-store' }));
    document.getElementById('results').textContent = JSON.stringify(res.body.results.map((r) => [r.filename, r.transcript]));
  });
`;

describe.skipIf(missingTools.length > 0)(
  `a client written as the old pages are (needs ${missingTools.join(', ') || 'nothing missing'})`,
  () => {
    let stack: ConsoleStack;
    let client: Watched;
    let audioDir: string;
    let pageDir: string;
    let mp3: Buffer;

    beforeAll(async () => {
      audioDir = mkdtempSync(join(tmpdir(), 'old-client-'));
      mp3 = makeSpeech(audioDir, 'Good morning. The garden is full of yellow flowers today.', 'mp3').bytes;
      // Served by local mode itself, as the old pages were by the old service: same origin as the API.
      pageDir = mkdtempSync(join(tmpdir(), 'old-client-page-'));
      writeFileSync(join(pageDir, 'old-client.html'), PAGE);
      writeFileSync(join(pageDir, 'old-client.js'), SCRIPT);
      stack = await startConsoleStack({ consoleDir: pageDir });
      client = await openPage(stack);
      await client.page.goto('/old-client.html');
    }, 120_000);
    afterAll(async () => {
      await stack?.close();
      rmSync(audioDir, { recursive: true, force: true });
      rmSync(pageDir, { recursive: true, force: true });
    });

    const row = (filename: string) => client.page.locator(`.file[data-filename="${filename}"]`);

    it('logs in and holds the session in the HttpOnly cookie, which every later call sends', async () => {
      const { page } = client;
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect.poll(() => page.locator('#login-result').textContent()).toBe('200 Login successful');
      const cookie = (await client.context.cookies()).find((c) => c.name === 'session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.evaluate('document.cookie')).toBe('');
    });

    it('uploads through a real multipart form, and the file reaches completed with a transcript', async () => {
      const { page } = client;
      await page.getByLabel('Audio file').setInputFiles({ name: 'garden.mp3', mimeType: 'audio/mpeg', buffer: mp3 });
      await page.getByLabel('Filename').fill('Morning Garden');
      await page.getByLabel('Description').fill('spoken by espeak-ng');
      await page.getByRole('button', { name: 'Upload' }).click();
      await expect.poll(() => page.locator('#upload-result').textContent()).toMatch(/^\{"status":200/);
      const result = JSON.parse((await page.locator('#upload-result').textContent()) ?? '{}') as {
        body: Record<string, unknown>;
      };
      expect(result.body).toMatchObject({
        success: true,
        filename: 'Morning-Garden.mp3',
        size: mp3.length,
        description: 'spoken by espeak-ng',
        transcript_status: 'pending',
      });
      await expect
        .poll(
          async () => {
            await page.evaluate('window.loadFiles()');
            return row('Morning-Garden.mp3').getAttribute('data-status');
          },
          { timeout: 120_000, interval: 1000 },
        )
        .toBe('completed');
      expect(await row('Morning-Garden.mp3').getAttribute('data-has-transcript')).toBe('true');
    }, 150_000);

    it('plays the <audio> element of a listed file from its `url` to a finite duration, through S3', async () => {
      const { page } = client;
      const before = client.requests.length;
      await page.evaluate(`(() => {
      const audio = document.querySelector('.file[data-filename="Morning-Garden.mp3"] audio');
      audio.preload = 'metadata';
      audio.load();
      // Not awaited: play() settles only once sound starts, which needs no output device here.
      audio.play().catch(() => undefined);
    })()`);
      // Polled from outside the page: its CSP (the console's) forbids evaluating strings in it.
      const duration = () =>
        page.evaluate<number | null>(
          `(() => { const a = document.querySelector('.file[data-filename="Morning-Garden.mp3"] audio'); return Number.isFinite(a.duration) && a.duration > 0 ? a.duration : null; })()`,
        );
      await expect.poll(duration, { timeout: 15_000 }).not.toBeNull();
      const seconds = (await duration()) as number;
      const row = await stack.local.deps.store.getAudioFile('Morning-Garden.mp3');
      expect(Math.abs(seconds - Number(row?.duration))).toBeLessThan(1.5);
      // The player asked the API (signed URL), then S3 (presigned): never with a cookie to S3.
      const asked = client.requests.slice(before);
      expect(asked.some((url) => /\/api\/audio\/Morning-Garden\.mp3\?expires=\d+&signature=/.test(url))).toBe(true);
      expect(asked.some((url) => url.startsWith(stack.s3) && url.includes('X-Amz-Signature'))).toBe(true);
    });

    it('finds the upload by a word of its transcript, with the transcript as the result’s text', async () => {
      const { page } = client;
      const transcript = (await stack.local.deps.store.getAudioFile('Morning-Garden.mp3'))?.transcript ?? '';
      const word = transcript
        .toLowerCase()
        .split(/[^a-z]+/)
        .find((w) => w.length >= 4 && !'morning-garden.mp3'.includes(w));
      expect(word, `a word of 4+ letters, not in the name, in "${transcript}"`).toBeDefined();
      await page.getByLabel('Search').fill(word!);
      await expect
        .poll(async () => JSON.parse((await page.locator('#results').textContent()) || '[]') as [string, string][])
        .toEqual([['Morning-Garden.mp3', expect.stringContaining(word!)]]);
    });

    it('refused nothing it asked for and reached no other origin than its own and S3', () => {
      expect(client.refusals).toEqual([]);
      const own = new URL(stack.url).origin;
      const s3 = new URL(stack.s3).origin;
      expect(client.requests.filter((url) => ![own, s3].includes(new URL(url).origin))).toEqual([]);
    });
  },
);
