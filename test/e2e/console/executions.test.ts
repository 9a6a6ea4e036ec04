import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_ASL, pathTo } from '../../helpers/asl.js';
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
  until,
  type Watched,
} from './harness.js';

/**
 * Executions as an operator reads them: the list, and one run drawn as the state machine — every
 * state of the ASL file a node, the path taken marked, time, retries and errors on the nodes,
 * input and output on click — reached from the file's page.
 */
const STATES = Object.keys(INGEST_ASL.States);
/** What a successful run goes through, read from the file. */
const MAIN_PATH = pathTo('Done');
/** The error of the `Failed` state: MarkFailed recorded the failure; the row's reason is its cause. */
const RECORDED = (INGEST_ASL.States.Failed as { Error?: string }).Error;
const GOOD = 'spoken words.wav';
const BROKEN = 'broken upload.wav';

describe.skipIf(missingTools.length > 0)(`executions (needs ${missingTools.join(', ') || 'nothing missing'})`, () => {
  let stack: ConsoleStack;
  let desk: Watched;

  beforeAll(async () => {
    stack = await startConsoleStack();
    const speech = makeSpeech(stack.local.config.DATA_DIR, 'One small step for the state machine graph.', 'wav');
    const s3 = stack.local.deps.s3!;
    await s3.send(new PutObjectCommand({ Bucket: 'audio', Key: GOOD, Body: speech.bytes }));
    await s3.send(new PutObjectCommand({ Bucket: 'audio', Key: BROKEN, Body: 'these bytes are not audio' }));
    for (const key of [GOOD, BROKEN]) {
      await until(
        async () => (await stack.local.deps.store.getAudioFile(key))?.transcriptStatus,
        (status) => status === 'completed' || status === 'failed',
        90_000,
      );
    }
    desk = await openPage(stack, 1280);
    await signIn(desk.page, 'admin', ADMIN_PASSWORD);
  }, 150_000);
  afterAll(() => stack?.close());

  const node = (state: string) => desk.page.locator(`button[data-state="${state}"]`);

  it('lists each execution with its status, start, duration and file', async () => {
    const { page } = desk;
    await page.getByRole('link', { name: 'Executions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Executions' }).waitFor();
    const rows = page.locator('tr[data-execution]');
    await expect.poll(() => rows.count()).toBe(2);
    const texts = await rows.allTextContents();
    expect(texts.find((t) => t.includes(GOOD))).toMatch(/succeeded/);
    expect(texts.find((t) => t.includes(BROKEN))).toMatch(/failed/);
    expect(texts.every((t) => /\d+(\.\d)? (ms|s)/.test(t))).toBe(true);
    await page.getByLabel('Status').selectOption('FAILED');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.textContent()).toContain(BROKEN);
    await expectAccessible(page, 'executions list');
  });

  it('opens from the file page and draws every state of the ASL file, with RegisterUpload → … → CompleteTranscription marked', async () => {
    const { page } = desk;
    await page.goto(`/#/files/${encodeURIComponent(GOOD)}`);
    await page.getByRole('region', { name: 'Transcript text' }).waitFor();
    await page.locator('ul.runs a').first().click();
    await page.getByTestId('state-graph').waitFor();
    for (const state of STATES) expect(await node(state).count(), state).toBe(1);
    const path = MAIN_PATH;
    expect(path.slice(-2)).toEqual(['CompleteTranscription', 'Done']);
    for (const state of path) expect(await node(state).getAttribute('data-outcome'), state).toBe('succeeded');
    for (const state of STATES.filter((s) => !path.includes(s)))
      expect(await node(state).getAttribute('data-outcome'), state).toBe('none');
    for (let i = 1; i < path.length; i++) {
      const edge = page.locator(`g.edge.taken[data-from="${path[i - 1]}"][data-to="${path[i]}"]`);
      expect(await edge.count(), `${path[i - 1]} → ${path[i]}`).toBe(1);
    }
    expect(await page.locator('g.edge.taken[data-to="MarkFailed"]').count()).toBe(0);
    // Each state that ran shows its time; the polling loop shows its visits.
    expect(await node('RegisterUpload').locator('.node-stats').textContent()).toMatch(/^\d+(\.\d)? (ms|s)$/);
    expect(await node('CheckTranscription').locator('.node-stats').textContent()).toMatch(/· \d+ visits$/);
    await expectAccessible(page, 'execution graph');
    await screenshot(page, 'execution-1280');
  });

  it('shows a state’s input and output on click, and by keyboard', async () => {
    const { page } = desk;
    await node('RegisterUpload').click();
    const details = page.getByTestId('state-details');
    await expect.poll(() => details.getByRole('heading', { level: 2 }).textContent()).toBe('RegisterUpload');
    expect(await details.getByRole('region', { name: 'Input of visit 1' }).textContent()).toContain(`"key": "${GOOD}"`);
    expect(await details.getByRole('region', { name: 'Output of visit 1' }).textContent()).toContain('"registered"');
    await node('StartTranscription').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => details.getByRole('heading', { level: 2 }).textContent()).toBe('StartTranscription');
    expect(await node('StartTranscription').getAttribute('aria-pressed')).toBe('true');
  });

  it('marks a failed upload’s failing state with its error, and the way it went to MarkFailed', async () => {
    const { page } = desk;
    await page.goto('/#/executions');
    await page.locator('tr[data-execution]', { hasText: BROKEN }).getByRole('link').first().click();
    await page.getByTestId('state-graph').waitFor();
    expect(await node('RegisterUpload').getAttribute('data-outcome')).toBe('caught');
    const error = await node('RegisterUpload').locator('.node-error').textContent();
    expect(error).toMatch(/^UnsupportedMediaError: /);
    expect(await node('Failed').getAttribute('data-outcome')).toBe('failed');
    expect(await node('MarkFailed').getAttribute('data-outcome')).toBe('succeeded');
    expect(
      await page.locator('g.edge.taken.edge-catch[data-from="RegisterUpload"][data-to="MarkFailed"]').count(),
    ).toBe(1);
    expect(await page.locator('g.edge.taken[data-from="RegisterUpload"]:not(.edge-catch)').count()).toBe(0);
    // The failing state is chosen already: its error in full, where the run was sent.
    const details = page.getByTestId('state-details');
    expect(await details.getByRole('heading', { level: 2 }).textContent()).toBe('RegisterUpload');
    expect(await details.textContent()).toContain('(caught → MarkFailed)');
    // The execution ended as MarkFailed left it: the recorded error, with the row's reason as the cause.
    const ended = await page.locator('.error-box').textContent();
    expect(ended).toContain(`Failed with ${RECORDED}`);
    expect(ended).toContain((await stack.local.deps.store.getAudioFile(BROKEN))?.transcriptError);
    await expectAccessible(page, 'failed execution graph');
    await screenshot(page, 'execution-failed-1280');
  });

  it('writes the graph’s screenshot at 360 px, scrolling the graph inside its box, not the page', async () => {
    const phone = await openPage(stack, 360, 780);
    await phone.context.addCookies(await desk.context.cookies());
    await phone.page.goto(desk.page.url());
    await phone.page.getByTestId('state-graph').waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await expectAccessible(phone.page, 'execution graph at 360 px');
    await screenshot(phone.page, 'execution-360');
    expectClean(phone);
    await phone.context.close();
  });

  it('logged no errors, and talked only to its own origin', () => {
    expectClean(desk);
    expectOnlyOwnOrigins(desk.requests, stack);
  });
});
