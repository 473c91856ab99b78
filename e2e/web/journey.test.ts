import { freePort, useTestDatabase } from '@keel/postgres/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, seriousA11yViolations, startConfigBackend, startWeb } from './harness';
import { startSink } from './sink';

const db = useTestDatabase('web-journey');

describe('the web app, from sign-up to delivery', { timeout: 120_000 }, () => {
  let backend: Awaited<ReturnType<typeof startConfigBackend>>;
  let web: Awaited<ReturnType<typeof startWeb>>;
  let browser: Browser;
  let page: Page;
  let workspaceUrl = '';
  let writeKey = '';
  let sink: Awaited<ReturnType<typeof startSink>>;
  const pageErrors: string[] = [];

  /** Screenshots a screen at desktop and phone widths and checks it with axe-core. */
  async function checkScreen(name: string) {
    await page.waitForLoadState('networkidle');
    await screenshot(page, `${name}-1280`);
    expect(await seriousA11yViolations(page), `axe on ${name}`).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await screenshot(page, `${name}-390`);
      const overflowing = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .filter((el) => !el.parentElement?.closest('[class*="overflow-x-auto"]'))
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 80)}`),
      );
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ scroll, overflowing }, `${name} is wider than 390 px`).toEqual({ scroll: 0, overflowing: [] });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  }

  beforeAll(async () => {
    const [backendPort, webPort] = [await freePort(), await freePort()];
    backend = await startConfigBackend({
      databaseUrl: db.url,
      port: backendPort,
      publicUrl: `http://127.0.0.1:${webPort}`,
    });
    web = await startWeb({ port: webPort, configBackendUrl: backend.url });
    sink = await startSink();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
    page = await context.newPage();
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
    await sink?.close();
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

  it('creates a JavaScript source and copies its write key', async () => {
    await page.getByRole('link', { name: 'Sources' }).first().click();
    await page.getByRole('heading', { name: 'No sources yet' }).waitFor();
    await checkScreen('04-sources-empty');
    await page.getByRole('link', { name: 'Add your first source' }).click();
    await page.getByRole('heading', { name: 'Add a source' }).waitFor();
    await checkScreen('05-source-new');
    await page.getByText('JavaScript', { exact: true }).click();
    await page.getByLabel('Source name').fill('Marketing site');
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.getByRole('heading', { name: 'Marketing site' }).waitFor();
    writeKey = (await page.getByTestId('write-key').textContent()) ?? '';
    expect(writeKey).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    await page.getByRole('button', { name: 'Copy write key' }).click();
    await page.getByRole('button', { name: 'Copied' }).first().waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(writeKey);
    await expect.poll(() => page.getByText(`'${writeKey}:'`).isVisible()).toBe(true);
    await checkScreen('06-source-install');
    await page.getByRole('tab', { name: 'Write keys' }).click();
    await page.getByRole('button', { name: 'Rotate: add a new key' }).click();
    await page.getByRole('cell', { name: /^Rotated / }).waitFor();
    await checkScreen('07-source-keys');
  });

  it('adds a webhook destination with inline validation, tests it and connects the source', async () => {
    await page.getByRole('link', { name: 'Destinations' }).first().click();
    await page.getByRole('link', { name: 'Browse the catalog' }).click();
    await page.getByLabel('Search the catalog').fill('hook');
    await checkScreen('08-destination-catalog');
    await page.getByRole('link', { name: /Webhook/ }).click();
    await page.getByLabel('Destination name').fill('Local sink');
    await page.getByLabel('URL').fill('not a url');
    await page.getByLabel('URL').blur();
    await page.getByText('enter a full URL such as https://example.com/hooks/keel').waitFor();
    await checkScreen('09-destination-form-invalid');
    await page.getByLabel('URL').fill(sink.url);
    await page.getByLabel('Authorization header (optional)').fill('Bearer sink-secret');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.getByText('Destination saved. Connect a source').waitFor();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('link', { name: 'Marketing site' }).waitFor();
    await checkScreen('10-destination-connected');
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByText('•••• set').waitFor();
    expect(await page.getByLabel('Authorization header (optional)').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/accepted the test event/).waitFor();
    expect(sink.received.at(-1)?.headers.authorization).toBe('Bearer sink-secret');
    await checkScreen('11-destination-settings');
  });

  it('shows the connection in the graph and saves its options', async () => {
    await page.getByRole('link', { name: 'Connections' }).first().click();
    // By keyboard: each line in the graph is focusable and opens its options with Enter.
    await page.getByRole('button', { name: /Marketing site to Local sink: healthy/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Event filter').selectOption('deny');
    await page.getByLabel('Event names').fill('Debug Ping');
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByText('Connection saved.').waitFor();
    await checkScreen('12-connections');
    await page.getByRole('link', { name: 'Overview' }).first().click();
    await page.getByRole('heading', { name: 'Last 24 hours' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Get your first events flowing' }).count()).toBe(0);
  });
});
