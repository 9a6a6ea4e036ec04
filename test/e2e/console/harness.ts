import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { type LocalOptions, type LocalStack, startLocal } from '../../../lib/local/start.js';
import { hasCommand } from '../../helpers/local-stack.js';

/**
 * The browser tests' stack: the console built exactly as `npm start` builds it (same Vite config),
 * served by local mode (API, S3 endpoint, pipeline, real pocketsphinx) on free ports, and Debian's
 * chromium driven by playwright-core. One stack and one browser per test file.
 */

export const ADMIN_PASSWORD = 'console-admin-password';
/** Where a run writes its screenshots for a person to look at (git-ignored). */
export const SCREENSHOT_DIR = resolve('test-results/console');

export const TOOLS = ['chromium', 'espeak-ng', 'lame', 'sox', 'ffmpeg', 'pocketsphinx_continuous'];
export const missingTools = TOOLS.filter((tool) => !hasCommand(tool));

/** Builds web/ with its own vite.config.ts into a temp dir; returns the dir. */
export async function buildConsole(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'console-build-'));
  await build({ configFile: resolve('web/vite.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface ConsoleStack {
  local: LocalStack;
  url: string;
  s3: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Builds the console, starts local mode serving it, and launches chromium. With `consoleDir`,
 * serves that directory's pages instead (kept on close), on the same origin as the API.
 */
export async function startConsoleStack(
  options: Pick<LocalOptions, 'overrides' | 'consoleDir'> = {},
): Promise<ConsoleStack> {
  const built = options.consoleDir === undefined;
  const consoleDir = options.consoleDir ?? (await buildConsole());
  const dataDir = mkdtempSync(join(tmpdir(), 'console-stack-'));
  const local = await startLocal({
    port: 0,
    consoleDir,
    log: () => {},
    env: {
      DATA_DIR: dataDir,
      ADMIN_PASSWORD,
      LOG_LEVEL: 'SILENT',
      LOCAL_WAIT_MS: '100',
      TRANSCRIPTION_MAX_CHECKS: '600',
    },
    ...options,
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // Without the background-networking flags chromium floods refused connections (TOOLCHAIN.md);
    // playwright gives every launch a fresh profile directory of its own.
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    local,
    url: local.urls.api!,
    s3: local.urls.s3!,
    browser,
    close: async () => {
      await browser.close();
      await local.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (built) rmSync(consoleDir, { recursive: true, force: true });
    },
  };
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions, console errors and failed requests, as text. */
  problems: string[];
  /** Every answer of 400 or more: `METHOD path status`. */
  refusals: string[];
  /** Every URL the page requested. */
  requests: string[];
}

// Chrome logs every answer ≥ 400 as this console error; `refusals` checks those answers one by one.
const REFUSAL_LOG = /^Failed to load resource: the server responded with a status of \d+/;

/** A fresh context and page, with its console, errors, refusals and requests recorded. */
export async function openPage(stack: ConsoleStack, width = 1280, height = 900): Promise<Watched> {
  const context = await stack.browser.newContext({ viewport: { width, height }, baseURL: stack.url });
  const page = await context.newPage();
  const watched: Watched = { context, page, problems: [], refusals: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error' || REFUSAL_LOG.test(message.text())) return;
    watched.problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => watched.problems.push(`exception: ${error.message}`));
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const url = new URL(response.url());
    watched.refusals.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  page.on('requestfailed', (request) => {
    // An upload the person cancelled is aborted on purpose.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    watched.problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return watched;
}

/**
 * The page logged no error and threw nothing, and the server refused only what the test set out
 * to have refused (each `METHOD path status`, e.g. a file type the API does not take).
 */
export function expectClean(watched: Watched, expectedRefusals: RegExp[] = []): void {
  expect(watched.problems).toEqual([]);
  expect(watched.refusals.filter((refusal) => !expectedRefusals.some((pattern) => pattern.test(refusal)))).toEqual([]);
}

/** Signs in through the login form and waits for the library. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Library' }).waitFor();
}

/** axe on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(severe, `axe on ${what}`).toEqual([]);
}

/** Writes a full-page screenshot under test-results/console/ for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Every request went to the console's own origin, or — for the bytes of audio only — to the S3
 * endpoint with a presigned URL the API handed out (uploads PUT there, the player's stream URL
 * redirects there).
 */
export function expectOnlyOwnOrigins(requests: string[], stack: ConsoleStack): void {
  const own = new URL(stack.url).origin;
  const s3 = new URL(stack.s3).origin;
  const strays = requests.filter((url) => {
    if (url.startsWith('data:') || url === 'about:blank') return false;
    const parsed = new URL(url);
    if (parsed.origin === own) return false;
    return !(parsed.origin === s3 && parsed.searchParams.has('X-Amz-Signature'));
  });
  expect(strays).toEqual([]);
}

/** Polls `read` until `done` holds (outside a test, where expect.poll cannot run); throws on timeout. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
