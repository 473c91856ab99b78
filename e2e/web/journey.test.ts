import { freePort, useTestDatabase } from '@keel/postgres/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, seriousA11yViolations, startConfigBackend, startWeb } from './harness';

const db = useTestDatabase('web-journey');

describe('the web app, from sign-up to delivery', { timeout: 120_000 }, () => {
  let backend: Awaited<ReturnType<typeof startConfigBackend>>;
  let web: Awaited<ReturnType<typeof startWeb>>;
  let browser: Browser;
  let page: Page;
  let workspaceUrl = '';
  const pageErrors: string[] = [];

  /** Screenshots a screen at desktop and phone widths and checks it with axe-core. */
  async function checkScreen(name: string) {
    await page.waitForLoadState('networkidle');
    await screenshot(page, `${name}-1280`);
    expect(await seriousA11yViolations(page), `axe on ${name}`).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, `${name}-390`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  beforeAll(async () => {
    const [backendPort, webPort] = [await freePort(), await freePort()];
    backend = await startConfigBackend({
      databaseUrl: db.url,
      port: backendPort,
      publicUrl: `http://127.0.0.1:${webPort}`,
    });
    web = await startWeb({ port: webPort, configBackendUrl: backend.url });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 300_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail')
      await screenshot(page, `failed-${context.task.name.slice(0, 40)}`);
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await backend?.close();
  });

  it('first run: creates the owner account and opens the empty workspace with its guide', async () => {
    await page.goto(web.url);
    await page.waitForURL('**/setup');
    await checkScreen('01-setup');
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Work email').fill('ada@example.com');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await expect.poll(() => page.getByText('use at least 10 characters').isVisible()).toBe(true);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('Workspace name').fill('Acme');
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.waitForURL(/\/w\/[^/]+$/);
    workspaceUrl = page.url();
    await page.getByRole('heading', { name: 'Get your first events flowing' }).waitFor();
    await checkScreen('02-overview-empty');
  });

  it('signs out and back in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The email or password is wrong.').waitFor();
    await checkScreen('03-login-error');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(workspaceUrl);
  });
});
