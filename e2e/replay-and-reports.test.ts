import http from 'node:http';
import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../apps/config-backend/src/trpc/testing';
import { eventually } from '../apps/dataplane/src/delivery/testing';
import { listenLocally, startTwoPlanes, type TwoPlanes } from './two-planes';

// The control plane and a data plane, each as its own HTTP server on one database, talking
// only through /data-plane/v1: a webhook that answers 400 sends an event to the failed-events
// store; the dashboard lists it, sees it in live events and reports; after the sink is fixed,
// a replay asked for through tRPC is claimed by the data plane and delivered.
const db = useTestDatabase('e2ereplay');
let planes: TwoPlanes;
let owner: TestClient;
let workspaceId: string;
let gatewayUrl: string;
let writeKey: string;
let sourceId: string;
let destinationId: string;
let broken = true;
const received: Array<{ url: string; body: Record<string, unknown> }> = [];
const sink = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    if (broken) {
      res.statusCode = 400;
      res.end('{"error":"missing field plan"}');
      return;
    }
    received.push({ url: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
    res.end('ok');
  });
});

beforeAll(async () => {
  const sinkUrl = await listenLocally(sink);
  planes = await startTwoPlanes({
    databaseUrl: db.url,
    owner: { email: 'ops@example.com', name: 'Ops' },
    webhookUrl: `${sinkUrl}/crm/{{event}}`,
    dataPlaneId: 'dp-e2e',
    dataPlaneEnv: { CONTROL_PLANE_PUSH_INTERVAL_MS: '200', LIVE_EVENTS_POLL_MS: '200' },
  });
  ({ owner, workspaceId, gatewayUrl, writeKey, sourceId, destinationId } = planes);
});

afterAll(async () => {
  await planes?.close();
  sink.close();
});

async function track(event: string, userId: string): Promise<number> {
  return eventually('the data plane to accept the write key', async () => {
    const res = await fetch(`${gatewayUrl}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'track', event, userId, properties: { plan: 'pro' } }),
    });
    return res.status === 401 ? undefined : res.status;
  });
}

describe('control plane ↔ data plane', () => {
  it('shows an aborted event everywhere, then replays it once the destination is fixed', async () => {
    await owner.ok('mutation', 'live.watch', { workspaceId, sourceId });
    // The data plane learns of a watch at its next poll (LIVE_EVENTS_POLL_MS, 200 ms here); an
    // event that passes through before then is not sampled, and the pipeline takes far less.
    await new Promise((r) => setTimeout(r, 600));
    expect(await track('Upgraded', 'u-1')).toBe(200);

    const failed = await eventually('the failed event in the dashboard', async () => {
      const page = await owner.ok('query', 'failedEvents.list', { workspaceId, destinationId });
      return page.events.length > 0 ? page.events : undefined;
    });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      sourceId,
      destinationId,
      errorCode: '400',
      userKey: 'u-1',
      eventLabel: 'track · Upgraded',
    });
    const detail = await owner.ok('query', 'failedEvents.get', { workspaceId, id: failed[0].id });
    expect(JSON.stringify(detail.response)).toContain('missing field plan');

    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const aborted = await eventually('the abort in the reports', async () => {
      const series = await owner.ok('query', 'reports.timeseries', { workspaceId, from, to, destinationId });
      return series.totals.aborted > 0 ? series.totals : undefined;
    });
    expect(aborted).toMatchObject({ aborted: 1, delivered: 0 });

    const live = await eventually('live events', async () => {
      const { events } = await owner.ok('query', 'live.events', { workspaceId, sourceId });
      return events.length > 0 ? events : undefined;
    });
    expect(live[0].payload).toMatchObject({ event: 'Upgraded', userId: 'u-1' });

    broken = false;
    const { matching } = await owner.ok('mutation', 'failedEvents.replay', {
      workspaceId,
      ids: [failed[0].id],
    });
    expect(matching).toBe(1);
    await eventually('the replayed delivery', async () => (received.length > 0 ? true : undefined));
    expect(received[0]).toMatchObject({ url: '/crm/Upgraded', body: { event: 'Upgraded', userId: 'u-1' } });

    const done = await eventually('the replay to be reported done', async () => {
      const [latest] = await owner.ok('query', 'failedEvents.replays', { workspaceId });
      return latest?.status === 'done' ? latest : undefined;
    });
    expect(done.replayedCount).toBe(1);
    expect(
      await owner.ok('query', 'failedEvents.countMatching', { workspaceId, ids: [failed[0].id] }),
    ).toEqual({
      count: 0,
    });
    const delivered = await eventually('the replayed delivery in the reports', async () => {
      const series = await owner.ok('query', 'reports.timeseries', { workspaceId, from, to, destinationId });
      return series.totals.delivered > 0 ? series.totals : undefined;
    });
    expect(delivered.delivered).toBe(1);
    expect(received).toHaveLength(1);
  }, 90_000);
});
