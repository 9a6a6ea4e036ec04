import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand } from '../../helpers/local-stack.js';
import {
  ADMIN_PASSWORD,
  type ConsoleStack,
  expectAccessible,
  expectClean,
  expectOnlyOwnOrigins,
  openPage,
  signIn,
  startConsoleStack,
  type Watched,
} from './harness.js';

/**
 * Users, as an admin manages them in the browser: create, disable, reset a password, delete —
 * the API's rules enforced by the API and shown in its words — and a user who is not an admin
 * sees no admin page.
 */
const USER = 'operator-1';
const FIRST_PASSWORD = 'first-password-1';
const NEW_PASSWORD = 'second-password-2';

describe.skipIf(!hasCommand('chromium'))('users (needs chromium)', () => {
  let stack: ConsoleStack;
  let admin: Watched;

  beforeAll(async () => {
    stack = await startConsoleStack();
    admin = await openPage(stack, 1280);
    await signIn(admin.page, 'admin', ADMIN_PASSWORD);
  }, 120_000);
  afterAll(() => stack?.close());

  const userRow = (page: Page, username: string) => page.locator(`tr[data-username="${username}"]`);
  const notice = (page: Page) => page.getByTestId('admin-notice');

  /** Signs in on a page of its own; answers the page, or the refusal shown on the sign-in form. */
  async function signInAs(username: string, password: string): Promise<{ watched: Watched; refusal?: string }> {
    const watched = await openPage(stack, 1280);
    await watched.page.goto('/');
    await watched.page.getByLabel('Username').fill(username);
    await watched.page.getByLabel('Password').fill(password);
    await watched.page.getByRole('button', { name: 'Sign in' }).click();
    const outcome = await Promise.race([
      watched.page
        .getByRole('heading', { level: 1, name: 'Library' })
        .waitFor()
        .then(() => undefined),
      watched.page
        .getByRole('alert')
        .waitFor()
        .then(() => watched.page.getByRole('alert').textContent()),
    ]);
    if (outcome) await watched.context.close(); // refused: nothing more to see there
    return { watched, ...(outcome ? { refusal: outcome } : {}) };
  }

  it('creates a user, and refuses a bad name and a taken one in the API’s words', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await expectAccessible(page, 'users page');

    await page.getByLabel('Username').fill('ab');
    await page.getByLabel('Password', { exact: true }).fill(FIRST_PASSWORD);
    await page.getByRole('button', { name: 'Create user' }).click();
    const refusal = await page.request.post('/api/admin/users', { data: { username: 'ab', password: FIRST_PASSWORD } });
    const detail = ((await refusal.json()) as { detail: string }).detail;
    await expect.poll(() => notice(page).textContent()).toBe(detail);
    expect(detail).toMatch(/username/);

    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password', { exact: true }).fill(FIRST_PASSWORD);
    await page.getByLabel('Email (optional)').fill('operator@example.org');
    await page.getByRole('button', { name: 'Create user' }).click();
    await userRow(page, USER).waitFor();
    expect(await userRow(page, USER).locator('td').allTextContents()).toEqual(
      expect.arrayContaining([USER, 'operator@example.org', 'user', 'active']),
    );
    expect(await page.getByLabel('Username').inputValue()).toBe('');

    await page.getByLabel('Username').fill(USER.toUpperCase());
    await page.getByLabel('Password', { exact: true }).fill(FIRST_PASSWORD);
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => notice(page).getAttribute('class')).toBe('error');
    expect(await notice(page).textContent()).toMatch(/exists/i);
  });

  it('a user who is not an admin sees no admin link and no admin page', async () => {
    const { watched, refusal } = await signInAs(USER, FIRST_PASSWORD);
    expect(refusal).toBeUndefined();
    const { page } = watched;
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual([
      'Library',
      'Executions',
    ]);
    await page.goto('/#/admin');
    await page.getByRole('heading', { level: 1, name: 'Admins only' }).waitFor();
    expect(await page.locator('table').count()).toBe(0);
    expect((await page.request.get('/api/admin/users')).status()).toBe(403);
    await expectAccessible(page, 'admins-only page');
    expectClean(watched);
    await watched.context.close();
  });

  it('resets a password: the old one stops working, the new one signs in', async () => {
    const { page } = admin;
    await userRow(page, USER)
      .getByRole('button', { name: `Reset password of ${USER}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `New password for ${USER}` });
    await dialog.getByLabel('New password').fill('short');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/8 characters/);
    await dialog.getByLabel('New password').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await signInAs(USER, FIRST_PASSWORD)).refusal).toBe('Incorrect username or password');
    const fresh = await signInAs(USER, NEW_PASSWORD);
    expect(fresh.refusal).toBeUndefined();
    await fresh.watched.context.close();
  });

  it('disables a user (who can no longer sign in) and enables them again', async () => {
    const { page } = admin;
    await userRow(page, USER)
      .getByRole('button', { name: `Disable ${USER}` })
      .click();
    await expect.poll(() => userRow(page, USER).locator('td').nth(3).textContent()).toBe('disabled');
    const refused = await signInAs(USER, NEW_PASSWORD);
    expect(refused.refusal).toMatch(/inactive|disabled/i);
    await userRow(page, USER)
      .getByRole('button', { name: `Enable ${USER}` })
      .click();
    await expect.poll(() => userRow(page, USER).locator('td').nth(3).textContent()).toBe('active');
    const again = await signInAs(USER, NEW_PASSWORD);
    expect(again.refusal).toBeUndefined();
    await again.watched.context.close();
  });

  it('keeps the API’s rule that an admin cannot delete themselves', async () => {
    const { page } = admin;
    await userRow(page, 'admin').getByRole('button', { name: 'Delete admin' }).click();
    await page.getByRole('dialog', { name: 'Delete admin?' }).getByRole('button', { name: 'Delete user' }).click();
    await expect.poll(() => notice(page).getAttribute('class')).toBe('error');
    const users = (await (await page.request.get('/api/admin/users')).json()) as
      | Array<{ id: number; username: string }>
      | { users: Array<{ id: number; username: string }> };
    const self = (Array.isArray(users) ? users : users.users).find((u) => u.username === 'admin')!;
    const refusal = await page.request.delete(`/api/admin/users/${self.id}`);
    expect(refusal.status()).toBeGreaterThanOrEqual(400);
    expect(await notice(page).textContent()).toBe(((await refusal.json()) as { detail: string }).detail);
    expect(await userRow(page, 'admin').count()).toBe(1);
  });

  it('deletes a user only after confirming', async () => {
    const { page } = admin;
    await userRow(page, USER)
      .getByRole('button', { name: `Delete ${USER}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Delete ${USER}?` });
    await expectAccessible(page, 'delete confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await userRow(page, USER).count()).toBe(1);
    await userRow(page, USER)
      .getByRole('button', { name: `Delete ${USER}` })
      .click();
    await dialog.getByRole('button', { name: 'Delete user' }).click();
    await expect.poll(() => userRow(page, USER).count()).toBe(0);
    expect(await stack.local.deps.store.getUser(USER)).toBeUndefined();
  });

  it('fits a 360 px screen and is accessible there', async () => {
    const phone = await openPage(stack, 360, 780);
    await phone.context.addCookies(await admin.context.cookies());
    await phone.page.goto('/#/admin');
    await userRow(phone.page, 'admin').waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await expectAccessible(phone.page, 'users page at 360 px');
    expectClean(phone);
    await phone.context.close();
  });

  it('logged no errors beyond the refusals it provoked, and talked only to its own origin', () => {
    expectClean(admin, [
      /^POST \/api\/admin\/users (400|409)$/,
      /^PATCH \/api\/admin\/users\/\d+ 400$/,
      /^DELETE \/api\/admin\/users\/\d+ (400|409)$/,
    ]);
    expectOnlyOwnOrigins(admin.requests, stack);
  });
});
