import { useTestDatabase } from '@keel/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, setUpWorkspace, type TestWorkspace } from './trpc/testing';

const db = useTestDatabase('cbmetrics');
let app: FastifyInstance;
let url: string;
let workspace: TestWorkspace;
let dataPlaneToken: string;

/** Scrapes /metrics over HTTP the way Prometheus does. */
async function scrape(): Promise<{ contentType: string | null; text: string }> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return { contentType: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one series, 0 when it has not been seen yet. */
function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return 0;
}

function dataPlane(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}/data-plane/v1${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${dataPlaneToken}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

beforeAll(async () => {
  ({ app } = await buildTestApp(db.url));
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  workspace = await setUpWorkspace(app);
  ({ token: dataPlaneToken } = await workspace.owner.ok('mutation', 'dataPlaneTokens.create', {
    workspaceId: workspace.workspaceId,
    name: 'metrics',
  }));
});

afterAll(async () => {
  await app?.close();
});

describe('GET /metrics', () => {
  it('serves the Prometheus text format with process metrics', async () => {
    const { contentType, text } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/^# HELP keel_config_backend_http_requests_total /m);
    expect(text).toMatch(/^# TYPE keel_config_backend_http_requests_total counter$/m);
    expect(seriesValue(text, 'keel_config_backend_process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts HTTP requests by route template and status, never by raw URL', async () => {
    const before = (await scrape()).text;
    const labels = { method: 'GET', route: '/health', status: '200' };
    const healthBefore = seriesValue(before, 'keel_config_backend_http_requests_total', labels);
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/no/such/page/u_12345`)).status).toBe(404);
    const after = (await scrape()).text;
    expect(seriesValue(after, 'keel_config_backend_http_requests_total', labels)).toBe(healthBefore + 3);
    expect(
      seriesValue(after, 'keel_config_backend_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain('u_12345');
    expect(
      seriesValue(after, 'keel_config_backend_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/health',
      }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('counts tRPC errors by procedure and code, and labels a made-up procedure "unknown"', async () => {
    const viewer = await workspace.tokenClient('viewer');
    const denied = await viewer.mutation('sources.create', {
      workspaceId: workspace.workspaceId,
      name: 'Denied',
      type: 'javascript',
    });
    expect(denied.error?.data.code).toBe('FORBIDDEN');
    const missing = await workspace.owner.query('sources.get', {
      workspaceId: workspace.workspaceId,
      id: 'src_x',
    });
    expect(missing.error?.data.code).toBe('NOT_FOUND');
    const madeUp = await workspace.owner.query('secret.leak_me', {});
    expect(madeUp.status).toBe(404);
    const { text } = await scrape();
    const errors = 'keel_config_backend_trpc_errors_total';
    expect(seriesValue(text, errors, { procedure: 'sources.create', code: 'FORBIDDEN' })).toBe(1);
    expect(seriesValue(text, errors, { procedure: 'sources.get', code: 'NOT_FOUND' })).toBe(1);
    expect(seriesValue(text, errors, { procedure: 'unknown', code: 'NOT_FOUND' })).toBe(1);
    expect(text).not.toContain('leak_me');
  });

  it('counts config builds, long-poll waiters and report rows of the data-plane API', async () => {
    const before = (await scrape()).text;
    const builds = seriesValue(before, 'keel_config_backend_config_builds_total', { outcome: 'ok' });
    const first = await dataPlane('/config');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') ?? '';
    // A second request is served from the cache: no build.
    expect((await dataPlane('/config', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const afterGet = (await scrape()).text;
    expect(seriesValue(afterGet, 'keel_config_backend_config_builds_total', { outcome: 'ok' })).toBe(
      builds + 1,
    );
    expect(seriesValue(afterGet, 'keel_config_backend_config_build_duration_seconds_count')).toBeGreaterThan(
      0,
    );

    const waiting = dataPlane('/config?wait=20', { headers: { 'if-none-match': etag } });
    await expect
      .poll(async () => seriesValue((await scrape()).text, 'keel_config_backend_config_long_poll_waiters'))
      .toBe(1);
    await workspace.owner.ok('mutation', 'sources.create', {
      workspaceId: workspace.workspaceId,
      name: 'Wakes the long-poll',
      type: 'javascript',
    });
    expect((await waiting).status).toBe(200);
    const afterWake = (await scrape()).text;
    expect(seriesValue(afterWake, 'keel_config_backend_config_long_poll_waiters')).toBe(0);
    expect(seriesValue(afterWake, 'keel_config_backend_config_builds_total', { outcome: 'ok' })).toBe(
      builds + 2,
    );

    const row = (workspaceId: string, status: string) => ({
      workspaceId,
      minute: '2026-11-26T10:15:00.000Z',
      sourceId: 'src',
      destinationId: 'dst',
      status,
      errorCode: '',
      count: 4,
      latencyP50Ms: null,
      latencyP95Ms: null,
      latencyP99Ms: null,
      samples: [],
    });
    const pushed = await dataPlane('/reports', {
      method: 'POST',
      body: JSON.stringify({
        dataPlaneId: 'dp-metrics',
        reports: [row(workspace.workspaceId, 'delivered'), row(workspace.workspaceId, 'aborted')],
      }),
    });
    expect(await pushed.json()).toEqual({ accepted: 2, skipped: 0 });
    const afterReports = (await scrape()).text;
    expect(seriesValue(afterReports, 'keel_config_backend_report_rows_total', { outcome: 'accepted' })).toBe(
      2,
    );
  });
});
