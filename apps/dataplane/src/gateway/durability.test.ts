import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, useTestDatabase } from '@keel/postgres/testing';
import { Pool, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCachedConfig } from '../config/cache';
import { basic, testConfig, testSource } from './testing';

// Invariant 1: a 200 means committed. A real data-plane process (server.ts) is killed with
// SIGKILL while 32 connections are sending; every acknowledged messageId must be stored.
const db = useTestDatabase('gateway-durability');
const serverTs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../server.ts');
const children: ChildProcess[] = [];

async function startChild(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverTs], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      DATAPLANE_DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      ROLES: 'gateway',
      LOG_LEVEL: 'warn',
      DATA_PLANE_TOKEN: 'durability-test',
      // Nothing listens there: the process starts from the config cached in its database.
      CONFIG_BACKEND_URL: 'http://127.0.0.1:9',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the data plane exited: ${stderr}`);
    const status = await request(`http://127.0.0.1:${port}/health`)
      .then(async (r) => {
        await r.body.dump();
        return r.statusCode;
      })
      .catch(() => 0);
    if (status === 200) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the data plane did not become healthy: ${stderr}`);
}

beforeAll(async () => {
  await saveCachedConfig(db.pool, { etag: '"v1"', config: testConfig([testSource({ id: 'src_load' })]) });
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('SIGKILL during load', () => {
  it('loses no acknowledged event, and a restarted process serves again', async () => {
    const port = await freePort();
    const child = await startChild(port);
    const acked: string[] = [];
    let failed = 0;
    let stop = false;
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 32 });
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const ids = Array.from({ length: 1 + (n % 5) }, (_, i) => `kill-${w}-${n}-${i}`);
        const single = ids.length === 1;
        const events = ids.map((messageId) => ({ type: 'track', event: 'Load', userId: `u${w}`, messageId }));
        try {
          const response = await pool.request({
            method: 'POST',
            path: single ? '/v1/track' : '/v1/batch',
            body: JSON.stringify(single ? events[0] : { batch: events }),
            headers: { authorization: basic('key-src_load') },
          });
          await response.body.dump();
          if (response.statusCode === 200) acked.push(...ids);
          else failed++;
        } catch {
          failed++;
          return; // the process is gone
        }
      }
    };
    const load = Promise.all(Array.from({ length: 32 }, (_, w) => worker(w)));
    await expect.poll(() => acked.length, { timeout: 20_000, interval: 20 }).toBeGreaterThan(1500);
    child.kill('SIGKILL');
    await load;
    stop = true;
    await pool.destroy();

    expect(failed).toBeGreaterThan(0); // requests were in flight when it died
    const { rows } = await db.pool.query<{ message_id: string }>(
      "SELECT message_id FROM gw_jobs WHERE message_id LIKE 'kill-%'",
    );
    const stored = new Set(rows.map((r) => r.message_id));
    const lost = acked.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acked.length);

    const again = await freePort();
    await startChild(again);
    const response = await request(`http://127.0.0.1:${again}/v1/track`, {
      method: 'POST',
      body: JSON.stringify({ type: 'track', event: 'After', userId: 'u', messageId: 'after-restart' }),
      headers: { authorization: basic('key-src_load') },
    });
    await response.body.dump();
    expect(response.statusCode).toBe(200);
  });
});
