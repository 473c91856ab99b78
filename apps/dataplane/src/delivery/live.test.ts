import http from 'node:http';
import { useTestDatabase } from '@keel/postgres/testing';
import type { LiveEvent } from '@keel/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The real control plane stores the samples; a proxy in front of it loses one answer.
import { buildTestApp, setUpWorkspace } from '../../../config-backend/src/trpc/testing';
import { DataPlaneEnv } from '../env';
import { ControlPlaneClient } from './control-plane-client';
import { LiveEvents } from './live';

const db = useTestDatabase('livesamples');
let controlPlane: FastifyInstance;
let controlPlaneUrl: string;
let workspaceId: string;
let sourceId: string;
let token: string;
let proxy: http.Server;
let proxyUrl: string;
/** Answers to lose: the request reaches the config-backend, its answer never reaches the data plane. */
let loseAnswers = 0;

beforeAll(async () => {
  ({ app: controlPlane } = await buildTestApp(db.url, { LOG_LEVEL: 'silent' }));
  controlPlaneUrl = await controlPlane.listen({ host: '127.0.0.1', port: 0 });
  const workspace = await setUpWorkspace(controlPlane);
  workspaceId = workspace.workspaceId;
  ({ id: sourceId } = await workspace.owner.ok('mutation', 'sources.create', {
    workspaceId,
    name: 'Web',
    type: 'javascript',
  }));
  ({ token } = await workspace.owner.ok('mutation', 'dataPlaneTokens.create', { workspaceId, name: 'live' }));

  proxy = http.createServer((req, res) => {
    const upstream = http.request(
      `${controlPlaneUrl}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        if (req.url?.endsWith('/live-events') && loseAnswers > 0) {
          loseAnswers--;
          answer.resume();
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  proxy?.close();
  await controlPlane?.close();
});

function sample(messageId: string): LiveEvent {
  return {
    workspaceId,
    sourceId,
    destinationId: null,
    messageId,
    stage: 'received',
    at: new Date().toISOString(),
    payload: { messageId },
  };
}

describe('live-event samples', () => {
  it('are shown once when a push whose answer was lost is sent again', async () => {
    const live = new LiveEvents(
      new ControlPlaneClient(proxyUrl, token, 2_000),
      'dp-live',
      controlPlane.log,
      DataPlaneEnv.shape.LIVE_EVENTS_POLL_MS.parse(undefined),
    );
    live.add(sample('m-1'));
    live.add(sample('m-2'));
    loseAnswers = 1;
    await live.flush();
    expect(loseAnswers).toBe(0);
    const stored = await db.pool.query<{ message_id: string }>(
      'SELECT message_id FROM live_events ORDER BY id',
    );
    // The config-backend did store them; the data plane could not know.
    expect(stored.rows.map((r) => r.message_id)).toEqual(['m-1', 'm-2']);

    live.add(sample('m-3'));
    await live.flush();
    await live.flush();
    const after = await db.pool.query<{ message_id: string; sample_id: string }>(
      'SELECT message_id, sample_id FROM live_events ORDER BY id',
    );
    expect(after.rows.map((r) => r.message_id)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(new Set(after.rows.map((r) => r.sample_id)).size).toBe(3);
    const withoutId = await db.pool.query(
      'SELECT count(*)::int AS n FROM live_events WHERE sample_id IS NULL',
    );
    expect(withoutId.rows[0].n).toBe(0);
    await live.stop();
  });
});
