import net from 'node:net';
import { useTestDatabase } from '@keel/postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './trpc/testing';

const db = useTestDatabase('cbhealth');

/** A port on which something accepts connections and closes them at once: a database that is down. */
async function deadDatabasePort(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

describe('GET /health', () => {
  const closers: Array<() => unknown> = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('answers 200 with the database status while Postgres answers', async () => {
    const { app } = await buildTestApp(db.url);
    closers.push(() => app.close());
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: { ok: true } });
  });

  it('answers 503, naming the problem, while the database is unreachable, and stays up', async () => {
    const dead = await deadDatabasePort();
    closers.push(dead.close);
    const { app } = await buildTestApp(`postgresql://keel:keel@127.0.0.1:${dead.port}/keel`);
    closers.push(() => app.close());
    for (let i = 0; i < 2; i++) {
      const response = await app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'unavailable',
        database: { ok: false, error: expect.any(String) },
      });
    }
  });
});
