import { freePort, useTestDatabase } from '@keel/postgres/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  screenshot,
  sendTrack,
  seriousA11yViolations,
  startConfigBackend,
  startDataPlane,
  startWeb,
} from './harness';
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
  let dataPlane: Awaited<ReturnType<typeof startDataPlane>> | undefined;
  let gatewayPort = 0;
  let gatewayUrl = '';
  let ordersSent = 0;
  const pageErrors: string[] = [];

  /** Screenshots a screen at desktop and phone widths and checks it with axe-core. */
  async function checkScreen(name: string, on?: Page) {
    const owner = page;
    page = on ?? owner;
    try {
      await checkOneScreen(name);
    } finally {
      page = owner;
    }
  }

  async function checkOneScreen(name: string) {
    await page.waitForLoadState('networkidle');
    await screenshot(page, `${name}-1280`);
    const violations = (await seriousA11yViolations(page)).map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    expect(violations, `axe on ${name}`).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await screenshot(page, `${name}-390`);
      const overflowing = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth)
          .filter((el) => {
            // Content inside a scroller (tables, code, the editor) scrolls there, not the page.
            for (let a = el.parentElement; a; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== 'visible') return false;
            }
            return true;
          })
          .slice(0, 5)
          .map(
            (el) =>
              `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)} @${el.getBoundingClientRect().right}`,
          ),
      );
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (scroll > 0) {
        const widest = await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .map((el) => ({
              el,
              right: el.getBoundingClientRect().right,
              sw: el.scrollWidth - el.clientWidth,
            }))
            .sort((a, b) => b.right - a.right)
            .slice(0, 6)
            .map(
              ({ el, right, sw }) =>
                `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 50)} @${right} sw+${sw}`,
            ),
        );
        console.log(name, widest);
      }
      expect({ scroll, overflowing }, `${name} is wider than 390 px`).toEqual({ scroll: 0, overflowing: [] });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  }

  beforeAll(async () => {
    const [backendPort, webPort] = [await freePort(), await freePort()];
    gatewayPort = await freePort();
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    backend = await startConfigBackend({
      databaseUrl: db.url,
      port: backendPort,
      publicUrl: `http://127.0.0.1:${webPort}`,
    });
    web = await startWeb({ port: webPort, configBackendUrl: backend.url, dataPlaneUrl: gatewayUrl });
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
    await dataPlane?.close();
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

  /** Reloads until the text shows: the dashboard polls every 30 s, the test need not wait that long. */
  async function reloadUntil(text: string | RegExp, timeoutMs = 45_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await page.getByText(text).count()) > 0) return;
      if (Date.now() > deadline) throw new Error(`"${text}" did not appear within ${timeoutMs} ms`);
      await page.waitForTimeout(1000);
      await page.reload();
      await page.waitForLoadState('networkidle');
    }
  }

  it('creates a data-plane token, shown once, and a data plane starts with it', async () => {
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('tab', { name: 'Data-plane tokens' }).click();
    await page.getByLabel('Data plane name').fill('local');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('secret-once').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(20);
    dataPlane = await startDataPlane({
      databaseUrl: db.url,
      configBackendUrl: backend.url,
      token,
      port: gatewayPort,
    });
    await checkScreen('13-settings-data-plane-token');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('secret-once').count()).toBe(0);
    expect(await page.content()).not.toContain(token);
  });

  it('sends events with curl and watches them arrive live, with pause and resume', async () => {
    await page.getByRole('link', { name: 'Live events' }).first().click();
    await page.getByLabel('Show').selectOption({ label: 'Marketing site' });
    await page.getByText('Listening for events').waitFor();
    // The data plane samples only once it has seen the watch, so send until one shows, then two more.
    let sent = 0;
    const send = async () => {
      sent += 1;
      const status = await sendTrack(gatewayUrl, writeKey, {
        event: 'Order Completed',
        userId: `user-${sent}`,
        properties: { revenue: 10 * sent },
      });
      expect(status).toBe(200);
    };
    await expect
      .poll(
        async () => {
          await send();
          await page.waitForTimeout(700);
          return page.getByText('track · Order Completed').count();
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    await send();
    await send();
    ordersSent = sent;
    await expect
      .poll(() => page.getByText('delivered', { exact: true }).count(), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(3);
    await page.getByText('track · Order Completed').first().click();
    await page
      .getByText(/"revenue": \d+/)
      .first()
      .waitFor();
    await checkScreen('14-live-events');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused. New events are not collected.').waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect
      .poll(() => sink.received.filter((r) => r.url === '/hooks/keel').length, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(ordersSent + 1);
  });

  it('shows the deliveries in the dashboard', async () => {
    await page.getByRole('link', { name: 'Delivery' }).first().click();
    await page.getByRole('heading', { name: 'Events by status' }).waitFor();
    const delivered = page.locator('dt:text-is("Delivered") + dd');
    const deadline = Date.now() + 45_000;
    while ((await delivered.textContent()) !== String(ordersSent) && Date.now() < deadline) {
      await page.waitForTimeout(1000);
      await page.reload();
      await delivered.waitFor();
    }
    expect(await delivered.textContent()).toBe(String(ordersSent));
    await checkScreen('15-delivery');
    await page.getByRole('link', { name: 'Sources' }).first().click();
    await page.getByRole('img', { name: /Marketing site: \d+ events in the last 24 hours/ }).waitFor();
    await checkScreen('15b-sources-traffic');
  });

  it('shows the events the gateway rejected, per source with their reasons and a sample', async () => {
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
    const post = (body: string) =>
      fetch(`${gatewayUrl}/v1/batch`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body,
      });
    // Three invalid events (none accepted, so the deliveries above stay as they are) and bad JSON.
    const batch = await post(
      JSON.stringify({
        batch: [
          { type: 'track', userId: 'user-x', messageId: 'no-event-name' },
          { type: 'track', userId: 'user-y' },
          { type: 'launch', userId: 'user-z' },
        ],
      }),
    );
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as { rejected: unknown[] }).rejected).toHaveLength(3);
    expect((await post('{"batch": [')).status).toBe(400);

    await page.getByRole('link', { name: 'Delivery' }).first().click();
    const rejected = page.locator('dt:text-is("Rejected at gateway") + dd');
    await rejected.waitFor();
    const deadline = Date.now() + 45_000;
    while ((await rejected.textContent()) !== '4' && Date.now() < deadline) {
      await page.waitForTimeout(1000);
      await page.reload();
      await rejected.waitFor();
    }
    expect(await rejected.textContent()).toBe('4');
    const table = page.getByRole('table', { name: 'Events rejected at the gateway, by source and reason' });
    await table.getByRole('row', { name: /Marketing site invalid-event 3/ }).waitFor();
    await table.getByRole('row', { name: /Marketing site invalid-json 1/ }).waitFor();
    await checkScreen('15c-delivery-rejected');
    await page.getByRole('button', { name: 'Show a sample of invalid-event from Marketing site' }).click();
    await page.getByRole('dialog').getByText('invalid-event').first().waitFor();
    await page
      .getByRole('dialog')
      .getByText(/no-event-name|"index"/)
      .first()
      .waitFor();
    await checkScreen('15d-delivery-rejected-sample');
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('link', { name: 'Sources' }).first().click();
    await page.getByRole('link', { name: 'Marketing site' }).click();
    await page.getByRole('tab', { name: 'Rejected' }).click();
    await page.getByRole('row', { name: /invalid-event 3/ }).waitFor();
    await checkScreen('15e-source-rejected');
  });

  it('breaks the sink, shows the failures, fixes it and replays them', async () => {
    sink.setStatus(400);
    const before = sink.received.length;
    for (const user of ['user-4', 'user-5']) {
      expect(await sendTrack(gatewayUrl, writeKey, { event: 'Checkout Started', userId: user })).toBe(200);
    }
    await page.getByRole('link', { name: 'Failed events' }).first().click();
    await reloadUntil(/^400$/);
    await expect
      .poll(() => page.getByRole('button', { name: /^Inspect / }).count(), { timeout: 30_000 })
      .toBe(2);
    // Each row says which event failed and for whom, without opening it.
    const table = page.getByRole('table', { name: 'Failed events' });
    expect(await table.getByText('track · Checkout Started', { exact: true }).count()).toBe(2);
    for (const user of ['user-4', 'user-5']) await table.getByText(user, { exact: true }).waitFor();
    await page
      .getByRole('button', { name: /^Inspect / })
      .first()
      .click();
    await page.getByText('the sink is broken on purpose').first().waitFor();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('track · Checkout Started', { exact: true }).waitFor();
    // The JSON the dialog shows first is what the router sends the destination, not the event.
    await dialog.getByText('Payload for the destination', { exact: true }).waitFor();
    await checkScreen('16-failed-event-inspect');
    await page.getByRole('button', { name: 'Close' }).click();
    await checkScreen('17-failed-events');

    sink.setStatus(200);
    const failedCount = sink.received.length - before;
    await page.getByRole('button', { name: 'Replay all matching' }).click();
    await page.getByText('2 events will be delivered again.').waitFor();
    await checkScreen('18-replay-confirm');
    await page.getByRole('button', { name: 'Replay 2 events' }).click();
    await page.getByText(/Replay requested for 2 events/).waitFor();
    await expect.poll(() => sink.received.length - before - failedCount, { timeout: 30_000 }).toBe(2);
    const replayed = sink.received
      .slice(-2)
      .map((r) => (r.body as { userId?: string }).userId)
      .sort();
    expect(replayed).toEqual(['user-4', 'user-5']);
    await reloadUntil('done');

    await page.getByRole('link', { name: 'Delivery' }).first().click();
    await page.getByRole('button', { name: 'Show a sample of 400' }).click();
    await page.getByText('the sink is broken on purpose').first().waitFor();
    await checkScreen('19-delivery-error-sample');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('pages through more failed events than one page holds, and replays them all', async () => {
    sink.setStatus(400);
    const before = sink.received.length;
    const bulk = 55;
    const res = await fetch(`${gatewayUrl}/v1/batch`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        batch: Array.from({ length: bulk }, (_, i) => ({
          type: 'track',
          event: 'Bulk Refused',
          userId: `bulk-${i}`,
        })),
      }),
    });
    expect(res.status).toBe(200);
    await page.getByRole('link', { name: 'Failed events' }).first().click();
    // The replayed events of the step before are hidden, so the table holds only these.
    const inspects = page.getByRole('button', { name: /^Inspect / });
    const more = page.getByRole('button', { name: 'Load older failed events' });
    const deadline = Date.now() + 45_000;
    while ((await more.count()) === 0 && Date.now() < deadline) {
      await page.waitForTimeout(1000);
      await page.reload();
      await page.waitForLoadState('networkidle');
    }
    expect(await inspects.count()).toBe(50);
    await more.click();
    await expect.poll(() => inspects.count(), { timeout: 10_000 }).toBe(bulk);
    expect(await more.count()).toBe(0);
    await checkScreen('19b-failed-events-older-page');

    sink.setStatus(200);
    const refused = sink.received.length - before;
    await page.getByRole('button', { name: 'Replay all matching' }).click();
    await page.getByText(`${bulk} events will be delivered again.`).waitFor();
    await page.getByRole('button', { name: `Replay ${bulk} events` }).click();
    await expect.poll(() => sink.received.length - before - refused, { timeout: 30_000 }).toBe(bulk);
  });

  it('writes a transformation, tests it, publishes v2, compares versions and runs it on a connection', async () => {
    await page.getByRole('link', { name: 'Transformations' }).first().click();
    await page.getByRole('heading', { name: 'No transformations yet' }).waitFor();
    await page.getByRole('link', { name: 'New transformation' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Tag orders');
    await page.getByRole('button', { name: 'Create and publish v1' }).click();
    await page.getByRole('heading', { name: 'Tag orders' }).waitFor();

    const editor = page.getByRole('textbox', { name: 'Transformation code' });
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(
      'export function transformEvent(event) {\n  event.properties = { ...event.properties, tagged: true };\n  return event;\n}\n',
    );
    await page.getByText('Unpublished changes').waitFor();
    await page.getByRole('button', { name: 'Run test' }).click();
    await page.getByText(/^2 events in /).waitFor();
    expect(await page.getByText('"tagged": true').count()).toBe(2);
    await checkScreen('20-transformation-test');
    await page.getByRole('button', { name: 'Publish v2' }).click();
    await page.getByText(/^Published v2/).waitFor();
    await page.locator('.cm-mergeView').waitFor();
    await checkScreen('21-transformation-diff');

    await page.getByRole('link', { name: 'Connections' }).first().click();
    await page.getByRole('button', { name: /Marketing site to Local sink/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Transformation').selectOption({ label: 'Tag orders (v2)' });
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByText('Connection saved.').waitFor();
    const before = sink.received.length;
    await expect
      .poll(
        async () => {
          await sendTrack(gatewayUrl, writeKey, { event: 'Order Completed', userId: 'user-9' });
          return sink.received
            .slice(before)
            .some((r) => (r.body as { properties?: { tagged?: boolean } }).properties?.tagged === true);
        },
        { timeout: 30_000, interval: 2000 },
      )
      .toBe(true);
  });

  it('invites a viewer, who sees what they may not do and why', async () => {
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('tab', { name: 'Invitations' }).click();
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('secret-once').textContent()) ?? '';
    expect(link).toContain('/invite?token=');
    await checkScreen('22-settings-invitation');

    const guest = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await guest.newPage();
    viewer.setDefaultTimeout(15_000);
    await viewer.goto(link.replace(/^https?:\/\/[^/]+/, web.url));
    await viewer.getByText(/You are invited to/).waitFor();
    await checkScreen('23-invitation', viewer);
    await viewer.getByLabel('Your name').fill('Grace Hopper');
    await viewer.getByLabel('Email').fill('grace@example.com');
    await viewer.getByLabel('Password').fill('another long password');
    await viewer.getByRole('button', { name: 'Create account and join' }).click();
    await viewer.waitForURL(/\/w\/[^/]+$/);
    await viewer.getByRole('link', { name: 'Sources' }).first().click();
    await viewer
      .getByText('Adding sources: Needs the editor role; you are a viewer. Ask an owner.')
      .waitFor();
    await viewer.getByRole('link', { name: 'Marketing site' }).click();
    await viewer.getByRole('tab', { name: 'Write keys' }).click();
    expect(await viewer.getByRole('button', { name: 'Rotate: add a new key' }).isDisabled()).toBe(true);
    await viewer.getByText('Needs the editor role; you are a viewer. Ask an owner.').first().waitFor();
    await checkScreen('24-viewer-source-keys', viewer);
    await guest.close();

    await page.reload();
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByText('grace@example.com').waitFor();
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByText('source.create').waitFor();
    await page.getByText('source.create').click();
    await checkScreen('25-audit-log');
  });

  it('creates a second workspace and switches between workspaces', async () => {
    await page.getByRole('tab', { name: 'Workspace' }).click();
    await page.getByLabel('New workspace name').fill('Staging');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('heading', { name: 'Staging' }).waitFor();
    await page.getByRole('heading', { name: 'Get your first events flowing' }).waitFor();
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: 'Acme (owner)' });
    await page.waitForURL(workspaceUrl);
    await page.getByRole('heading', { name: 'Acme' }).waitFor();
    await checkScreen('26-overview-with-traffic');
  });
});
