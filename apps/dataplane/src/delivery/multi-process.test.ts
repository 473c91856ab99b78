import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, useTestDatabase } from '@keel/postgres/testing';
import type { WorkspaceConfig } from '@keel/shared';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic } from '../gateway/testing';
import {
  pipelineConfig,
  storeEvents,
  trackEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from './testing';

const db = useTestDatabase('multiprocess');
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../..');
let tmp: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'keel-mp-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(tmp, { recursive: true, force: true });
});

/** A data-plane process of its own, serving `config`, on `port`. */
async function spawnDataPlane(config: WorkspaceConfig, port: number, roles: string): Promise<ChildProcess> {
  const configPath = path.join(tmp, `config-${port}.json`);
  await writeFile(configPath, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'run-child.ts'), configPath], {
      cwd: repo,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        DATA_PLANE_TOKEN: 'test',
        CONFIG_BACKEND_URL: 'http://127.0.0.1:9',
        ROLES: roles,
        PORT: String(port),
        LOG_LEVEL: 'silent',
        ROUTER_BACKOFF_MIN_MS: '50',
        ROUTER_BACKOFF_MAX_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`data plane exited early (${code ?? signal})`)));
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

describe('several data-plane processes', () => {
  it('two processes on one database deliver everything once, in order', async () => {
    const sink = await new WebhookSink().start();
    const config = pipelineConfig([webhookDestination('dst_a', `${sink.url}/hook`)]);
    const a = await spawnDataPlane(config, await freePort(), 'processor,router');
    const b = await spawnDataPlane(config, await freePort(), 'processor,router');
    const total = 6_000;
    const leaseHolders = new Set<number>();
    for (let i = 0; i < total; i += 500) {
      await storeEvents(
        db.pool,
        trackEvents(500, 60, `two-${i}`).map((j, k) => renumber(j, i + k, 60)),
      );
      const { rows } = await db.pool.query<{ pid: number }>(
        `SELECT DISTINCT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND a.application_name = 'keel-router'`,
      );
      for (const r of rows) leaseHolders.add(r.pid);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(() => sink.summary().unique === total, 60_000, 'all deliveries');
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.summary().duplicates).toBe(0);
    expect(sink.outOfOrderUsers()).toEqual([]);
    // Both processes held router leases: the work was shared.
    expect(leaseHolders.size).toBeGreaterThanOrEqual(2);
    await Promise.all([stopChild(a, 'SIGTERM'), stopChild(b, 'SIGTERM')]);
    await sink.close();
  }, 120_000);

  it('loses no acknowledged event when the data plane is SIGKILLed at random moments under load', async () => {
    await db.pool.query(
      'TRUNCATE gw_jobs, rt_jobs, rt_status, proc_done, proc_dedup, failed_events, rpt_deltas',
    );
    const sink = await new WebhookSink().start();
    const config = pipelineConfig([webhookDestination('dst_a', `${sink.url}/hook`)], 'src_kill');
    const port = await freePort();
    let child = await spawnDataPlane(config, port, 'gateway,processor,router');
    const acked = new Set<string>();
    const users = 40;
    const slots = 8;
    let running = true;
    let resends = 0;
    const agent = new Agent({ connections: slots });
    const sender = async (slot: number) => {
      const mine = Array.from({ length: users }, (_, u) => u).filter((u) => u % slots === slot);
      const seq = new Map<number, number>();
      let n = 0;
      while (running) {
        const batch = Array.from({ length: 10 }, () => {
          const user = mine[n++ % mine.length] ?? 0;
          const s = seq.get(user) ?? 0;
          seq.set(user, s + 1);
          return {
            type: 'track',
            event: 'Killed',
            userId: `u${user}`,
            messageId: `k-${user}-${s}`,
            properties: { seq: s },
          };
        });
        // Resend the same batch until the gateway acknowledges it, as SDKs do.
        for (;;) {
          try {
            const response = await request(`http://127.0.0.1:${port}/v1/batch`, {
              method: 'POST',
              dispatcher: agent,
              headers: { authorization: basic('key-src_kill'), 'content-type': 'application/json' },
              body: JSON.stringify({ batch }),
            });
            await response.body.text();
            if (response.statusCode === 200) break;
          } catch {
            // The process is down; try again.
          }
          resends += 1;
          await new Promise((r) => setTimeout(r, 50));
        }
        for (const e of batch) acked.add(e.messageId);
      }
    };
    const senders = Array.from({ length: slots }, (_, s) => sender(s));
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((r) => setTimeout(r, 800 + Math.random() * 1_500));
      await stopChild(child, 'SIGKILL');
      child = await spawnDataPlane(config, port, 'gateway,processor,router');
    }
    await new Promise((r) => setTimeout(r, 1_000));
    running = false;
    await Promise.all(senders);
    await agent.close();
    const delivered = () => {
      const got = new Set(sink.received.map((r) => r.messageId));
      return [...acked].filter((id) => !got.has(id)).length;
    };
    await waitFor(() => delivered() === 0, 60_000, 'every acknowledged event to arrive');
    const { duplicates } = sink.summary();
    const dedupDrops = await db.pool.query(
      `SELECT coalesce(sum(count), 0)::int AS n FROM rpt_deltas WHERE error_code = 'duplicate'`,
    );
    console.log(
      `SIGKILL x3: ${acked.size} acknowledged, all delivered; ${duplicates} duplicate deliveries, ${resends} client resends, ${dedupDrops.rows[0].n} resent events dropped by dedup`,
    );
    expect(sink.outOfOrderUsers()).toEqual([]);
    expect(acked.size).toBeGreaterThan(500);
    await stopChild(child, 'SIGTERM');
    await sink.close();
  }, 180_000);
});

/** Gives job `index` of a run a per-user sequence that continues across chunks. */
function renumber<T extends { payload: string; userKey: string }>(job: T, index: number, users: number): T {
  const user = `u${index % users}`;
  const event = JSON.parse(job.payload) as { userId: string; properties: { seq: number } };
  event.userId = user;
  event.properties.seq = Math.floor(index / users);
  return { ...job, userKey: user, payload: JSON.stringify(event) };
}
