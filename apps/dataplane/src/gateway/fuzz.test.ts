import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { useTestDatabase } from '@keel/postgres/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, type RunningGateway, startGateway, testConfig, testSource } from './testing';

// Hostile and malformed bodies against a gateway with default limits, while valid traffic
// keeps flowing: every hostile request gets a 4xx with a JSON error, none a 5xx, and every
// valid request a 200 (invariant 4).
const db = useTestDatabase('gateway-fuzz');
let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway({ databaseUrl: db.url, config: testConfig([testSource({ id: 'src_fuzz' })]) });
});
afterAll(async () => {
  await gw?.close();
});

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Hostile {
  name: string;
  path: string;
  body: Buffer;
  headers?: Record<string, string>;
}

function hostileCases(): Hostile[] {
  const next = random(4242);
  const cases: Hostile[] = [];
  const types = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'garbage;;;', ''];
  for (let i = 0; i < 150; i++) {
    const body = Buffer.alloc(Math.floor(next() * 4096));
    for (let j = 0; j < body.length; j++) body[j] = Math.floor(next() * 256);
    const contentType = types[i % types.length] as string;
    cases.push({
      name: `random bytes #${i}`,
      path: ['/v1/track', '/v1/batch', '/v1/t', '/beacon/v1/batch?writeKey=key-src_fuzz'][i % 4] as string,
      body,
      headers: {
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(i % 7 === 0 ? { 'content-encoding': 'gzip' } : {}),
      },
    });
  }
  const deepArray = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
  cases.push({ name: 'deeply nested arrays', path: '/v1/batch', body: Buffer.from(deepArray) });
  const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  cases.push({
    name: 'deeply nested context',
    path: '/v1/track',
    body: Buffer.from(`{"type":"track","event":"E","userId":"u","context":${deepObject(5000)}}`),
  });
  cases.push({
    name: 'deeply nested batch events',
    path: '/v1/batch',
    body: Buffer.from(
      `{"batch":[{"type":"track","event":"E","userId":"u","properties":${deepObject(100_000)}}]}`,
    ),
  });
  cases.push({
    name: 'huge string in one event',
    path: '/v1/track',
    body: Buffer.from(
      JSON.stringify({ type: 'track', event: 'E', userId: 'u', properties: { s: 'x'.repeat(3_000_000) } }),
    ),
  });
  cases.push({
    name: 'huge body',
    path: '/v1/batch',
    body: Buffer.from(
      JSON.stringify({ batch: [{ type: 'track', event: 'x'.repeat(6_000_000), userId: 'u' }] }),
    ),
  });
  cases.push({
    name: 'huge event name',
    path: '/v1/track',
    body: Buffer.from(JSON.stringify({ type: 'track', event: 'e'.repeat(100_000), userId: 'u' })),
  });
  const wrong: unknown[] = [null, 0, -1.5, true, 'str', [], [1, 2], {}, { nested: [null] }];
  const fields = [
    'type',
    'event',
    'userId',
    'anonymousId',
    'messageId',
    'context',
    'properties',
    'traits',
    'timestamp',
    'sentAt',
    'integrations',
    'groupId',
    'previousId',
  ];
  for (const field of fields) {
    for (const value of wrong) {
      const event: Record<string, unknown> = { type: 'track', event: 'E', userId: 'u', [field]: value };
      if (field === 'userId') delete event.anonymousId;
      cases.push({
        name: `wrong type ${field}=${JSON.stringify(value)}`,
        path: '/v1/batch',
        body: Buffer.from(JSON.stringify({ batch: [event] })),
      });
    }
  }
  for (const top of [
    'null',
    '[]',
    '1',
    '"batch"',
    'true',
    '{"batch":null}',
    '{"batch":"x"}',
    '{"batch":[null,1,"a"]}',
  ]) {
    cases.push({ name: `wrong top level ${top}`, path: '/v1/batch', body: Buffer.from(top) });
    cases.push({ name: `wrong single ${top}`, path: '/v1/identify', body: Buffer.from(top) });
  }
  const invalidUtf8 = [
    Buffer.from([0xc3, 0x28]),
    Buffer.from([0xff, 0xfe, 0xfd]),
    Buffer.from([0xe2, 0x82]),
    Buffer.from([0xf0, 0x28, 0x8c, 0xbc]),
    Buffer.from([0xc0, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]),
  ];
  for (const [i, bytes] of invalidUtf8.entries()) {
    cases.push({
      name: `invalid UTF-8 in a string #${i}`,
      path: '/v1/track',
      body: Buffer.concat([Buffer.from('{"type":"track","event":"'), bytes, Buffer.from('","userId":"u"}')]),
    });
    cases.push({
      name: `invalid UTF-8 outside strings #${i}`,
      path: '/v1/track',
      body: Buffer.concat([Buffer.from('{"type":"track",'), bytes, Buffer.from('}')]),
    });
  }
  cases.push({
    name: 'lone surrogate and NUL escapes',
    path: '/v1/track',
    body: Buffer.from('{"type":"track","event":"\\ud800\\u0000","userId":"u"}'),
  });
  cases.push({
    name: 'raw NUL byte',
    path: '/v1/track',
    body: Buffer.from('{"type":"track","event":"a\u0000b","userId":"u"}'),
  });
  cases.push({
    name: 'gzip bomb (200 MB of zeros)',
    path: '/v1/batch',
    body: gzipSync(Buffer.alloc(200 * 1024 * 1024)),
    headers: { 'content-encoding': 'gzip' },
  });
  const valid = gzipSync(JSON.stringify({ batch: [{ type: 'track', event: 'E', userId: 'u' }] }));
  cases.push({
    name: 'truncated gzip',
    path: '/v1/batch',
    body: valid.subarray(0, valid.length - 9),
    headers: { 'content-encoding': 'gzip' },
  });
  cases.push({
    name: 'gzip of gzip',
    path: '/v1/batch',
    body: gzipSync(valid),
    headers: { 'content-encoding': 'gzip' },
  });
  return cases;
}

describe('fuzzing', () => {
  it('answers every hostile body with a JSON 4xx while valid traffic is served throughout', async () => {
    let stop = false;
    const validStatuses: number[] = [];
    const acked: string[] = [];
    const validTraffic = Promise.all(
      Array.from({ length: 3 }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          const messageId = `valid-${w}-${n}`;
          const response = await request(`${gw.url}/v1/track`, {
            method: 'POST',
            body: JSON.stringify({ type: 'track', event: 'Valid', userId: `u${w}`, messageId }),
            headers: { authorization: basic('key-src_fuzz') },
          });
          await response.body.dump();
          validStatuses.push(response.statusCode);
          if (response.statusCode === 200) acked.push(messageId);
        }
      }),
    );

    const cases = hostileCases();
    const outcomes: Array<{ name: string; status: number; code?: string }> = [];
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(
        cases.slice(i, i + 4).map(async (hostile) => {
          const response = await request(`${gw.url}${hostile.path}`, {
            method: 'POST',
            body: hostile.body,
            headers: { authorization: basic('key-src_fuzz'), ...hostile.headers },
          });
          const text = await response.body.text();
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { code?: string }).code;
          } catch {
            code = undefined;
          }
          outcomes.push({ name: hostile.name, status: response.statusCode, ...(code ? { code } : {}) });
        }),
      );
    }
    // Uploads abandoned halfway: the connection closes before Content-Length bytes arrived.
    await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect(Number(new URL(gw.url).port), '127.0.0.1', () => {
              socket.write(
                `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('key-src_fuzz')}\r\nContent-Length: 100000\r\n\r\n{"batch":[`,
              );
              setTimeout(() => socket.destroy(), 20);
            });
            socket.on('close', () => resolve());
            socket.on('error', () => {});
          }),
      ),
    );
    stop = true;
    await validTraffic;

    const serverErrors = outcomes.filter((o) => o.status >= 500);
    expect(serverErrors).toEqual([]);
    for (const outcome of outcomes) {
      if (outcome.status === 200) continue; // e.g. valid JSON that happens to be a valid event
      expect([400, 413], outcome.name).toContain(outcome.status);
      expect(outcome.code, outcome.name).toMatch(/^[a-z-]+$/);
    }
    const byName = new Map(outcomes.map((o) => [o.name, o]));
    expect(byName.get('gzip bomb (200 MB of zeros)')).toMatchObject({
      status: 413,
      code: 'request-too-large',
    });
    expect(byName.get('huge body')).toMatchObject({ status: 413, code: 'request-too-large' });
    expect(byName.get('huge string in one event')).toMatchObject({ status: 413, code: 'event-too-large' });
    expect(byName.get('deeply nested arrays')).toMatchObject({ status: 400 });
    expect(byName.get('truncated gzip')).toMatchObject({ status: 400, code: 'invalid-encoding' });
    expect(byName.get('random bytes #1')).toMatchObject({ status: 400 });
    expect(byName.get('gzip of gzip')).toMatchObject({ status: 400, code: 'invalid-json' });
    expect(byName.get('deeply nested batch events')).toMatchObject({ status: 400, code: 'invalid-events' });
    expect(byName.get('wrong type type=null')).toMatchObject({ status: 400, code: 'invalid-events' });
    expect(byName.get('wrong type properties=[]')).toMatchObject({ status: 400, code: 'invalid-events' });
    expect(byName.get('wrong top level null')).toMatchObject({ status: 400, code: 'invalid-body' });
    expect(byName.get('invalid UTF-8 outside strings #0')).toMatchObject({
      status: 400,
      code: 'invalid-json',
    });

    expect(validStatuses.length).toBeGreaterThan(20);
    expect(validStatuses.every((s) => s === 200)).toBe(true);
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM gw_jobs WHERE message_id = ANY($1)',
      [acked],
    );
    expect(rows[0]?.n).toBe(acked.length);
    const health = await request(`${gw.url}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  }, 120_000);
});
