import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { useTestDatabase } from '@keel/postgres/testing';
import pg from 'pg';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CuttableProxy, proxyDatabase } from './cuttable-proxy';
import { type RunningGateway, startGateway, testConfig, testSource } from './testing';

// The real browser SDKs, unmodified, in real Chromium: the page and the SDK files come from one
// local origin, the gateway is another, so every call goes through real CORS preflights.
const require = createRequire(import.meta.url);
const SDK_FILES: Record<string, string> = {
  // The "bundled" build carries its plugins; the plain npm build fetches them from a CDN.
  // Its exports map hides the UMD file, so it is found beside the exported CommonJS one.
  '/rudder.js': join(dirname(require.resolve('@rudderstack/analytics-js/bundled')), '../umd/index.js'),
  // The same, built for older browsers.
  '/rudder-legacy.js': join(
    dirname(require.resolve('@rudderstack/analytics-js/bundled')),
    '../../../legacy/bundled/umd/index.js',
  ),
  // The UMD build exposing `AnalyticsNext.AnalyticsBrowser`, so `load()` takes `cdnURL`.
  '/segment.js': require.resolve('@segment/analytics-next/dist/umd/index.js'),
  // The build Segment's snippet loads; it reads the key and CDN from the `window.analytics` stub.
  '/segment-standalone.js': require.resolve('@segment/analytics-next/dist/umd/standalone.js'),
};
const PAGE =
  '<!doctype html><html><head><title>Keel SDK page</title></head><body><h1>shop</h1></body></html>';

const db = useTestDatabase('gateway-browser-sdks');
const SOURCES = [
  'rjs',
  'rjs_legacy',
  'rjs_batch',
  'rjs_beacon',
  'seg',
  'seg_batch',
  'seg_snippet',
  'rjs_off',
  'seg_off',
  'rjs_limited',
  'seg_limited',
] as const;
type SourceName = (typeof SOURCES)[number];
const keyOf = (name: SourceName) => `key-src_${name}`;

let gw: RunningGateway;
/** The page server and every gateway of this file: the only origins a page may reach. */
const localOrigins = new Set<string>();
let pages: Server;
let pagesUrl: string;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  gw = await startGateway({
    databaseUrl: db.url,
    config: testConfig(
      SOURCES.map((name) =>
        testSource({
          id: `src_${name}`,
          type: 'javascript',
          enabled: !name.endsWith('_off'),
          rateLimitPerSecond: name.endsWith('_limited') ? 2 : null,
        }),
      ),
    ),
  });
  const files = new Map(Object.entries(SDK_FILES).map(([path, file]) => [path, readFileSync(file)]));
  pages = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const file = files.get(path);
    if (file) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(file);
    } else if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  localOrigins.add(pagesUrl).add(gw.url);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pages?.close(resolve));
  await gw?.close();
});

interface WireRequest {
  type: string;
  method: string;
  url: string;
  status?: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
}

interface SdkPage {
  page: Page;
  /** Every request the page made (Playwright's view: no CORS preflights). */
  requests: Array<{ method: string; url: string }>;
  /** Chromium's own network log, which also shows the CORS preflights and their answers. */
  wire: WireRequest[];
  console: string[];
}

function lowerCaseKeys(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

/** A fresh browser context (empty localStorage) on the page origin, with `script` loaded. */
async function openPage(script: string, beforeScript?: (page: Page) => Promise<void>): Promise<SdkPage> {
  context = await browser.newContext();
  // Nothing may leave the machine: a request elsewhere is recorded (and fails the test) but
  // aborted, so a broken SDK setting cannot reach the internet.
  await context.route('**/*', (route) =>
    localOrigins.has(new URL(route.request().url()).origin) ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  const opened: SdkPage = { page, requests: [], wire: [], console: [] };
  page.on('request', (request) => opened.requests.push({ method: request.method(), url: request.url() }));
  page.on('console', (message) => opened.console.push(`${message.type()}: ${message.text()}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map<string, WireRequest>();
  cdp.on('Network.requestWillBeSent', (event) => {
    const entry: WireRequest = {
      type: event.type ?? 'Other',
      method: event.request.method,
      url: event.request.url,
      requestHeaders: lowerCaseKeys(event.request.headers),
      responseHeaders: {},
    };
    byId.set(`${event.requestId} ${event.request.method}`, entry);
    opened.wire.push(entry);
  });
  cdp.on('Network.responseReceived', (event) => {
    const method = event.type === 'Preflight' ? 'OPTIONS' : undefined;
    const entry =
      (method && byId.get(`${event.requestId} ${method}`)) ??
      [...byId.entries()].find(
        ([id, candidate]) => id.startsWith(`${event.requestId} `) && candidate.method !== 'OPTIONS',
      )?.[1];
    if (!entry) return;
    entry.status = event.response.status;
    entry.responseHeaders = lowerCaseKeys(event.response.headers);
  });
  await page.goto(`${pagesUrl}/`);
  await beforeScript?.(page);
  await page.addScriptTag({ url: `${pagesUrl}${script}` });
  return opened;
}

/** The SDK's settings request, once the page has sent it. */
function sourceConfigCall(wire: WireRequest[]): WireRequest | undefined {
  return wire.find((entry) => entry.method === 'GET' && entry.url.includes('/sourceConfig/'));
}

function expectOnlyLocalRequests(requests: SdkPage['requests']): void {
  const origins = new Set(requests.map((request) => new URL(request.url).origin));
  expect([...origins].filter((origin) => !localOrigins.has(origin))).toEqual([]);
}

/** Gateway paths the page called with `method`, without the query. */
function gatewayCalls(requests: SdkPage['requests'], method: string, gateway = gw.url): string[] {
  return requests
    .filter((request) => request.method === method && request.url.startsWith(gateway))
    .map((request) => new URL(request.url).pathname);
}

/**
 * Every cross-origin call to the gateway but beacons was preflighted, and each preflight was
 * answered 204 with the page's origin and every header the browser asked for.
 */
async function expectPreflighted(wire: WireRequest[], paths: string[]): Promise<void> {
  await expect
    .poll(() => wire.filter((entry) => entry.method === 'OPTIONS' && entry.status !== undefined).length, {
      timeout: 10_000,
    })
    .toBeGreaterThanOrEqual(paths.length);
  for (const path of paths) {
    const preflight = wire.find(
      (entry) =>
        entry.method === 'OPTIONS' && entry.url.startsWith(gw.url) && new URL(entry.url).pathname === path,
    );
    expect(preflight, `preflight for ${path}`).toBeDefined();
    expect(preflight?.status).toBe(204);
    expect(preflight?.responseHeaders['access-control-allow-origin']).toBe(pagesUrl);
    const allowed = (preflight?.responseHeaders['access-control-allow-headers'] ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    const asked = (preflight?.requestHeaders['access-control-request-headers'] ?? '')
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(asked).toContain('authorization');
    expect(allowed).toEqual(expect.arrayContaining(asked));
  }
}

type Stored = Record<string, unknown> & {
  type: string;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  context: { library: { name: string }; traits?: Record<string, unknown> } & Record<string, unknown>;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
};

async function stored(name: string): Promise<Stored[]> {
  const { rows } = await db.pool.query('SELECT payload FROM gw_jobs WHERE source_id = $1 ORDER BY job_id', [
    `src_${name}`,
  ]);
  return rows.map((row) => JSON.parse(row.payload));
}

async function storedCount(): Promise<number> {
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM gw_jobs');
  return rows[0].n;
}

async function waitForStored(name: string, count: number, timeout = 20_000): Promise<Stored[]> {
  await expect.poll(async () => (await stored(name)).length, { timeout, interval: 100 }).toBe(count);
  return stored(name);
}

function byType(events: Stored[], type: string): Stored {
  const event = events.find((candidate) => candidate.type === type);
  if (!event) throw new Error(`no ${type} event among ${events.map((e) => e.type).join(', ')}`);
  return event;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface RudderApi {
  load(writeKey: string, dataPlaneUrl: string, options: Record<string, unknown>): void;
  ready(callback: () => void): void;
  identify(userId: string, traits: Record<string, unknown>): void;
  track(event: string, properties: Record<string, unknown>, options?: Record<string, unknown>): void;
  page(category: string, name: string, properties: Record<string, unknown>): void;
  group(groupId: string, traits: Record<string, unknown>): void;
  alias(to: string): void;
}

/**
 * Loads `@rudderstack/analytics-js` with the gateway as config and data plane URL, makes one
 * call of each kind (before the SDK is ready, as pages do), and waits for `ready` if asked.
 */
async function runRudderStack(
  page: Page,
  writeKey: string,
  options: Record<string, unknown>,
  { waitForReady = true, gateway = gw.url }: { waitForReady?: boolean; gateway?: string } = {},
): Promise<void> {
  await page.evaluate(
    ({ writeKey, gateway, options, waitForReady }) =>
      new Promise<void>((resolve) => {
        const sdk = (globalThis as unknown as { rudderanalytics: { RudderAnalytics: new () => RudderApi } })
          .rudderanalytics;
        const analytics = new sdk.RudderAnalytics();
        analytics.load(writeKey, gateway, {
          configUrl: gateway,
          polyfillIfRequired: false,
          logLevel: 'WARN',
          ...options,
        });
        analytics.identify('user-1', { email: 'ada@example.test', plan: 'team' });
        analytics.track(
          'Order Completed',
          { revenue: 42, currency: 'EUR' },
          { context: { campaign: { name: 'fall' } } },
        );
        analytics.page('Shop', 'Checkout', { step: 2 });
        analytics.group('team-7', { name: 'Analytical Engines' });
        analytics.alias('user-2');
        if (waitForReady) analytics.ready(() => resolve());
        else resolve();
      }),
    { writeKey, gateway, options, waitForReady },
  );
}

/** What the tests expect of the five calls of `runRudderStack`, as stored by the gateway. */
function expectRudderStackEvents(events: Stored[]): void {
  expect(events.map((event) => event.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);
  expect(new Set(events.map((event) => event.anonymousId)).size).toBe(1);
  for (const event of events) {
    expect(event.messageId).toMatch(UUID);
    expect(event.context.library).toMatchObject({ name: 'RudderLabs JavaScript SDK', version: '3.34.1' });
    expect(event.channel).toBe('web');
    expect(event.receivedAt).toEqual(expect.any(String));
    expect(event.timestamp).toEqual(expect.any(String));
    expect(event.request_ip).toBe('127.0.0.1');
    expect(event).not.toHaveProperty('writeKey');
  }
  const identify = byType(events, 'identify');
  expect(identify.userId).toBe('user-1');
  // analytics-js v3 puts identify traits only in context.traits.
  expect(identify.context.traits).toEqual({ email: 'ada@example.test', plan: 'team' });
  expect(identify).not.toHaveProperty('traits');
  expect(byType(events, 'track')).toMatchObject({
    userId: 'user-1',
    event: 'Order Completed',
    properties: { revenue: 42, currency: 'EUR' },
    context: { campaign: { name: 'fall' }, traits: { email: 'ada@example.test' } },
  });
  expect(byType(events, 'page')).toMatchObject({
    name: 'Checkout',
    category: 'Shop',
    properties: { step: 2, url: `${pagesUrl}/`, title: 'Keel SDK page' },
  });
  expect(byType(events, 'group')).toMatchObject({
    groupId: 'team-7',
    traits: { name: 'Analytical Engines' },
  });
  expect(byType(events, 'alias')).toMatchObject({ userId: 'user-2', previousId: 'user-1' });
}

interface SegmentEvents {
  identify(userId: string, traits: Record<string, unknown>): Promise<unknown>;
  track(
    event: string,
    properties: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): Promise<unknown>;
  page(category: string, name: string, properties: Record<string, unknown>): Promise<unknown>;
  group(groupId: string, traits: Record<string, unknown>): Promise<unknown>;
  alias(to: string, from: string): Promise<unknown>;
}

/** The calls every Segment test makes, in this order (written out again inside the page). */
function expectSegmentEvents(events: Stored[]): void {
  expect(events.map((event) => event.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);
  expect(new Set(events.map((event) => event.anonymousId)).size).toBe(1);
  for (const event of events) {
    expect(event.messageId).toMatch(
      /^ajs-next-\d+-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(event.context.library).toEqual({ name: 'analytics.js', version: 'next-1.84.3' });
    expect(event.receivedAt).toEqual(expect.any(String));
    expect(event.timestamp).toEqual(expect.any(String));
    // The key the SDK repeats inside each body is not stored with the event.
    expect(event).not.toHaveProperty('writeKey');
  }
  // analytics-next puts identify traits at the top level.
  expect(byType(events, 'identify')).toMatchObject({
    userId: 'user-1',
    traits: { email: 'ada@example.test', plan: 'team' },
  });
  expect(byType(events, 'track')).toMatchObject({
    userId: 'user-1',
    event: 'Order Completed',
    properties: { revenue: 42, currency: 'EUR' },
    context: { campaign: { name: 'fall' } },
  });
  expect(byType(events, 'page')).toMatchObject({
    name: 'Checkout',
    category: 'Shop',
    properties: { step: 2, url: `${pagesUrl}/`, title: 'Keel SDK page' },
  });
  expect(byType(events, 'group')).toMatchObject({
    groupId: 'team-7',
    traits: { name: 'Analytical Engines' },
  });
  // analytics-next 1.84.3 itself sends alias('user-2', 'user-1') with the identified user as
  // userId (seen in the request body); the gateway stores what it was sent.
  expect(byType(events, 'alias')).toMatchObject({ userId: 'user-1', previousId: 'user-1' });
}

/** Loads analytics-next through `AnalyticsBrowser.load` with the gateway as `cdnURL`. */
async function runSegment(
  page: Page,
  writeKey: string,
  options: Record<string, unknown>,
  gateway = gw.url,
): Promise<string> {
  return page.evaluate(
    async ({ writeKey, gateway, options }) => {
      const { AnalyticsBrowser } = (
        globalThis as unknown as {
          AnalyticsNext: {
            AnalyticsBrowser: {
              load(
                settings: Record<string, unknown>,
                options: Record<string, unknown>,
              ): Promise<[SegmentEvents]>;
            };
          };
        }
      ).AnalyticsNext;
      try {
        const [analytics] = await AnalyticsBrowser.load({ writeKey, cdnURL: gateway }, options);
        // Not awaited one by one: the promises settle on delivery, and batching needs them queued together.
        await Promise.all([
          analytics.identify('user-1', { email: 'ada@example.test', plan: 'team' }),
          analytics.track(
            'Order Completed',
            { revenue: 42, currency: 'EUR' },
            { context: { campaign: { name: 'fall' } } },
          ),
          analytics.page('Shop', 'Checkout', { step: 2 }),
          analytics.group('team-7', { name: 'Analytical Engines' }),
          analytics.alias('user-2', 'user-1'),
        ]);
        return 'delivered';
      } catch (error) {
        return `failed: ${String(error)}`;
      }
    },
    { writeKey, gateway, options },
  );
}

describe('@rudderstack/analytics-js 3.34.1 (bundled UMD) in Chromium', () => {
  it.each([
    { build: 'modern', script: '/rudder.js', source: 'rjs' },
    { build: 'legacy', script: '/rudder-legacy.js', source: 'rjs_legacy' },
  ] as const)(
    '$build build: loads /sourceConfig from the gateway and sends one XHR per event to /v1/<type>',
    async ({ build, script, source }) => {
      const { page, requests, wire } = await openPage(script);
      await runRudderStack(page, keyOf(source), {});
      expectRudderStackEvents(await waitForStored(source, 5));
      const config = sourceConfigCall(wire);
      expect(new URL(config?.url ?? gw.url).searchParams.get('build')).toBe(build);
      expect(gatewayCalls(requests, 'GET')).toEqual(['/sourceConfig/']);
      const posts = ['/v1/alias', '/v1/group', '/v1/identify', '/v1/page', '/v1/track'];
      expect(gatewayCalls(requests, 'POST').sort()).toEqual(posts);
      await expectPreflighted(wire, ['/sourceConfig/', ...posts]);
      const preflight = wire.find(
        (entry) => entry.method === 'OPTIONS' && entry.url.endsWith('/v1/identify'),
      );
      expect(preflight?.requestHeaders['access-control-request-headers']).toBe(
        'anonymousid,authorization,content-type,sentat',
      );
      const identify = wire.find((entry) => entry.method === 'POST' && entry.url.endsWith('/v1/identify'));
      expect(identify?.requestHeaders).toMatchObject({
        authorization: `Basic ${Buffer.from(`${keyOf(source)}:`).toString('base64')}`,
        'content-type': 'application/json;charset=UTF-8',
      });
      expect(identify?.responseHeaders['access-control-allow-origin']).toBe(pagesUrl);
      expectOnlyLocalRequests(requests);
    },
  );

  it('batch mode posts {batch} to /v1/batch', async () => {
    const { page, requests, wire } = await openPage('/rudder.js');
    await runRudderStack(page, keyOf('rjs_batch'), {
      queueOptions: { batch: { enabled: true, maxItems: 5, flushInterval: 200 } },
    });
    expectRudderStackEvents(await waitForStored('rjs_batch', 5));
    const posts = gatewayCalls(requests, 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(new Set(posts)).toEqual(new Set(['/v1/batch']));
    await expectPreflighted(wire, ['/v1/batch']);
    expectOnlyLocalRequests(requests);
  });

  it('beacon mode sends text/plain beacons to /beacon/v1/batch?writeKey=', async () => {
    const { page, requests, wire } = await openPage('/rudder.js');
    await runRudderStack(page, keyOf('rjs_beacon'), {
      useBeacon: true,
      beaconQueueOptions: { maxItems: 5, flushQueueInterval: 200 },
    });
    expectRudderStackEvents(await waitForStored('rjs_beacon', 5));
    const beacons = wire.filter((entry) => entry.method === 'POST' && entry.url.startsWith(gw.url));
    expect(beacons.length).toBeGreaterThan(0);
    for (const beacon of beacons) {
      const url = new URL(beacon.url);
      expect(url.pathname).toBe('/beacon/v1/batch');
      expect(url.searchParams.get('writeKey')).toBe(keyOf('rjs_beacon'));
      expect(beacon.type).toBe('Ping');
      expect(beacon.requestHeaders['content-type']).toMatch(/^text\/plain/);
      // sendBeacon cannot send headers, so the key is only in the query.
      expect(beacon.requestHeaders).not.toHaveProperty('authorization');
    }
    expectOnlyLocalRequests(requests);
  });

  it('a rate-limited source: the SDK retries the 429s until every event is stored', async () => {
    const { page, requests, wire } = await openPage('/rudder.js');
    await runRudderStack(page, keyOf('rjs_limited'), {});
    // Five events against 2 per second: some are refused and come back from the SDK's retry queue.
    expectRudderStackEvents(await waitForStored('rjs_limited', 5));
    expect(wire.some((entry) => entry.method === 'POST' && entry.status === 429)).toBe(true);
    expect(gatewayCalls(requests, 'POST').length).toBeGreaterThan(5);
    expectOnlyLocalRequests(requests);
  });

  it('a disabled source: the SDK reads enabled: false and sends nothing', async () => {
    const { page, requests, wire, console: logs } = await openPage('/rudder.js');
    await runRudderStack(page, keyOf('rjs_off'), {}, { waitForReady: false });
    await expect.poll(() => logs.join('\n'), { timeout: 10_000 }).toContain('The source is disabled');
    await expect.poll(() => sourceConfigCall(wire)?.status).toBe(200);
    // Give a misbehaving SDK time to send what it queued before load.
    await page.waitForTimeout(1500);
    expect(gatewayCalls(requests, 'POST')).toEqual([]);
    expect(await stored('rjs_off')).toEqual([]);
    expectOnlyLocalRequests(requests);
  });

  it('an unknown key: /sourceConfig answers 401 with a JSON error the SDK reports, and nothing is sent', async () => {
    const before = await storedCount();
    const { page, requests, wire, console: logs } = await openPage('/rudder.js');
    await runRudderStack(page, 'key-nobody-has', {}, { waitForReady: false });
    await expect
      .poll(() => logs.join('\n'), { timeout: 10_000 })
      .toContain('Failed to fetch the source config');
    // The console and the network log arrive over separate DevTools sessions, in either order.
    await expect.poll(() => sourceConfigCall(wire)?.status).toBe(401);
    const config = sourceConfigCall(wire);
    // The error is readable cross-origin, so the SDK sees the status rather than a CORS failure.
    expect(config?.responseHeaders['access-control-allow-origin']).toBe(pagesUrl);
    expect(config?.responseHeaders['content-type']).toMatch(/^application\/json/);
    await page.waitForTimeout(1500);
    expect(gatewayCalls(requests, 'POST')).toEqual([]);
    expect(await storedCount()).toBe(before);
    expectOnlyLocalRequests(requests);
  });
});

describe('@segment/analytics-next 1.84.3 (UMD) in Chromium', () => {
  it('loads its settings from the gateway as cdnURL and sends one request per event to /v1/<letter>', async () => {
    const { page, requests, wire } = await openPage('/segment.js');
    expect(await runSegment(page, keyOf('seg'), {})).toBe('delivered');
    expectSegmentEvents(await waitForStored('seg', 5));
    expect(gatewayCalls(requests, 'GET')).toEqual([`/v1/projects/${keyOf('seg')}/settings`]);
    const posts = ['/v1/a', '/v1/g', '/v1/i', '/v1/p', '/v1/t'];
    expect(gatewayCalls(requests, 'POST').sort()).toEqual(posts);
    await expectPreflighted(wire, posts);
    const track = wire.find((entry) => entry.method === 'POST' && entry.url.endsWith('/v1/t'));
    expect(track?.requestHeaders['content-type']).toMatch(/^text\/plain/);
    expect(track?.status).toBe(200);
    expectOnlyLocalRequests(requests);
  });

  it('the batching dispatcher posts to /v1/b', async () => {
    const { page, requests, wire } = await openPage('/segment.js');
    const batching = {
      integrations: {
        'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 5, timeout: 200 } } },
      },
    };
    expect(await runSegment(page, keyOf('seg_batch'), batching)).toBe('delivered');
    expectSegmentEvents(await waitForStored('seg_batch', 5));
    const posts = gatewayCalls(requests, 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(new Set(posts)).toEqual(new Set(['/v1/b']));
    await expectPreflighted(wire, ['/v1/b']);
    expectOnlyLocalRequests(requests);
  });

  it("Segment's snippet: calls buffered before the standalone build loads are delivered", async () => {
    const { requests } = await openPage('/segment-standalone.js', (page) =>
      // What Segment's snippet leaves behind: a call buffer carrying the key and CDN to use.
      page.evaluate(
        ({ writeKey, gateway }) => {
          const buffer = [] as unknown as unknown[][] & Record<string, unknown>;
          buffer._writeKey = writeKey;
          buffer._cdn = gateway;
          buffer._loadOptions = {};
          for (const method of ['identify', 'track', 'page', 'group', 'alias']) {
            buffer[method] = (...args: unknown[]) => buffer.push([method, ...args]);
          }
          (globalThis as unknown as { analytics: unknown }).analytics = buffer;
          const analytics = buffer as unknown as SegmentEvents;
          analytics.identify('user-1', { email: 'ada@example.test', plan: 'team' });
          analytics.track(
            'Order Completed',
            { revenue: 42, currency: 'EUR' },
            { context: { campaign: { name: 'fall' } } },
          );
          analytics.page('Shop', 'Checkout', { step: 2 });
          analytics.group('team-7', { name: 'Analytical Engines' });
          analytics.alias('user-2', 'user-1');
        },
        { writeKey: keyOf('seg_snippet'), gateway: gw.url },
      ),
    );
    expectSegmentEvents(await waitForStored('seg_snippet', 5));
    expect(gatewayCalls(requests, 'GET')).toEqual([`/v1/projects/${keyOf('seg_snippet')}/settings`]);
    expectOnlyLocalRequests(requests);
  });

  it('a rate-limited source: the SDK can read Retry-After on the 429s and retries until every event is stored', async () => {
    const { page, requests, wire } = await openPage('/segment.js');
    expect(await runSegment(page, keyOf('seg_limited'), {})).toBe('delivered');
    expectSegmentEvents(await waitForStored('seg_limited', 5));
    const limited = wire.filter((entry) => entry.method === 'POST' && entry.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.responseHeaders['access-control-expose-headers']).toBe('Retry-After');
    // What the SDK's fetch dispatcher does with a 429: read Retry-After, which a cross-origin
    // response hides unless the gateway exposes it.
    const retryAfter = await page.evaluate(async (gateway) => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const response = await fetch(`${gateway}/v1/t`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ writeKey: 'key-src_seg_limited', event: 'Probe', anonymousId: 'probe' }),
        });
        if (response.status === 429) return response.headers.get('Retry-After');
      }
      return 'never limited';
    }, gw.url);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expectOnlyLocalRequests(requests);
  });

  it('a disabled source or an unknown key: the settings request fails with the JSON error in the console, nothing is sent', async () => {
    const before = await storedCount();
    for (const writeKey of [keyOf('seg_off'), 'key-nobody-has']) {
      const { page, requests, wire, console: logs } = await openPage('/segment.js');
      const outcome = await runSegment(page, writeKey, {});
      const expected =
        writeKey === 'key-nobody-has'
          ? { status: 401, code: 'invalid-write-key' }
          : { status: 404, code: 'source-disabled' };
      // load() rejects with the gateway's answer, which the SDK also logs.
      expect(outcome).toContain(expected.code);
      expect(logs.join('\n')).toContain(expected.code);
      const settings = wire.find((entry) => entry.url.includes('/settings'));
      expect(settings?.status).toBe(expected.status);
      expect(settings?.responseHeaders['access-control-allow-origin']).toBe(pagesUrl);
      expect(gatewayCalls(requests, 'POST')).toEqual([]);
      expectOnlyLocalRequests(requests);
      await context?.close();
      context = undefined;
    }
    expect(await storedCount()).toBe(before);
  });
});

describe('a database outage under the browser SDKs', () => {
  let proxy: CuttableProxy;
  let gatewayPool: pg.Pool;
  let proxied: RunningGateway;

  beforeAll(async () => {
    let viaProxy: string;
    ({ proxy, url: viaProxy } = await proxyDatabase(db.url));
    gatewayPool = new pg.Pool({ connectionString: viaProxy, max: 4, connectionTimeoutMillis: 2000 });
    proxied = await startGateway({
      databaseUrl: viaProxy,
      pool: gatewayPool,
      config: testConfig([
        testSource({ id: 'src_rjs_outage', type: 'javascript' }),
        testSource({ id: 'src_seg_outage', type: 'javascript' }),
        testSource({ id: 'src_rjs_reload', type: 'javascript' }),
      ]),
      env: { GATEWAY_COMMIT_TIMEOUT_MS: '1500', JOBSDB_MAINTENANCE_INTERVAL_MS: '3600000' },
    });
    localOrigins.add(proxied.url);
    // Let job-table maintenance finish its start-up round, so the cut hits only the gateway.
    await proxied.app.dataPlane.pipeline?.maintain();
  });
  afterAll(async () => {
    await proxied?.close();
    await gatewayPool?.end();
    await proxy?.cut();
  });

  /** Cuts the database until a POST to the gateway got 503 and a little longer, then restores it. */
  async function outageUntil503(wire: WireRequest[]): Promise<void> {
    await expect
      .poll(() => wire.some((entry) => entry.method === 'POST' && entry.status === 503), { timeout: 15_000 })
      .toBe(true);
    const refused = wire.find((entry) => entry.method === 'POST' && entry.status === 503);
    // The browser SDKs can read the 503 (and its Retry-After) cross-origin.
    expect(refused?.responseHeaders['access-control-allow-origin']).toBe(pagesUrl);
    expect(refused?.responseHeaders['retry-after']).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await proxy.restore();
  }

  /** A retry carried the SDK's retry header, which its preflight asked for and was allowed. */
  function expectRetriedWith(wire: WireRequest[], header: string): void {
    const retried = wire.find(
      (entry) => entry.method === 'POST' && entry.status === 200 && header in entry.requestHeaders,
    );
    expect(retried, `a delivered retry with ${header}`).toBeDefined();
    const preflight = wire.find(
      (entry) =>
        entry.method === 'OPTIONS' &&
        entry.url === retried?.url &&
        (entry.requestHeaders['access-control-request-headers'] ?? '').includes(header),
    );
    expect(preflight?.status).toBe(204);
    expect(preflight?.responseHeaders['access-control-allow-headers']).toContain(header);
  }

  it('@rudderstack/analytics-js: events answered 503 come back from its retry queue once Postgres is back', async () => {
    const { page, requests, wire } = await openPage('/rudder.js');
    await proxy.cut();
    await runRudderStack(page, 'key-src_rjs_outage', {}, { gateway: proxied.url });
    await outageUntil503(wire);
    expectRudderStackEvents(await waitForStored('rjs_outage', 5));
    expectRetriedWith(wire, 'rsa-retry-attempt');
    expectOnlyLocalRequests(requests);
  });

  it('@rudderstack/analytics-js: events queued during the outage are resent by the next page after a reload', async () => {
    const { page, requests, wire } = await openPage('/rudder.js');
    await proxy.cut();
    await runRudderStack(page, 'key-src_rjs_reload', {}, { gateway: proxied.url });
    await expect
      .poll(() => wire.some((entry) => entry.method === 'POST' && entry.status === 503), { timeout: 15_000 })
      .toBe(true);
    // The visitor moves on while the database is down; the queue stays in localStorage.
    await page.reload();
    await proxy.restore();
    await page.addScriptTag({ url: `${pagesUrl}/rudder.js` });
    await page.evaluate((gateway) => {
      const sdk = (globalThis as unknown as { rudderanalytics: { RudderAnalytics: new () => RudderApi } })
        .rudderanalytics;
      new sdk.RudderAnalytics().load('key-src_rjs_reload', gateway, {
        configUrl: gateway,
        polyfillIfRequired: false,
        logLevel: 'WARN',
      });
    }, proxied.url);
    // The new page takes over the old page's queue only after the SDK's 10 s reclaim timeout.
    expectRudderStackEvents(await waitForStored('rjs_reload', 5, 40_000));
    expectRetriedWith(wire, 'rsa-recovered');
    expectOnlyLocalRequests(requests);
  }, 60_000);

  it('@segment/analytics-next: events answered 503 are retried and their promises settle once Postgres is back', async () => {
    const { page, requests, wire } = await openPage('/segment.js');
    await proxy.cut();
    const outcome = runSegment(page, 'key-src_seg_outage', {}, proxied.url);
    await outageUntil503(wire);
    expect(await outcome).toBe('delivered');
    expectSegmentEvents(await waitForStored('seg_outage', 5));
    expect(gatewayCalls(requests, 'POST', proxied.url).length).toBeGreaterThan(5);
    expectRetriedWith(wire, 'x-retry-count');
    expectOnlyLocalRequests(requests);
  });
});
