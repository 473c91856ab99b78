import { PassThrough } from 'node:stream';
import { useTestDatabase } from '@keel/postgres/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, type RunningGateway, startGateway, testConfig, testSource } from './testing';

// Logs are structured and never carry payloads or write keys, whatever the request looked like.
const db = useTestDatabase('gateway-logging');
const WRITE_KEY = 'key-src_logged';
const MARKER = 'payload-marker-7f3a';
let gw: RunningGateway;
let logs = '';

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk) => {
    logs += chunk;
  });
  gw = await startGateway({
    databaseUrl: db.url,
    config: testConfig([testSource({ id: 'src_logged', writeKeys: [{ id: 'wk', key: WRITE_KEY }] })]),
    env: { LOG_LEVEL: 'trace' },
    logStream: stream,
  });
});
afterAll(async () => {
  await gw?.close();
});

async function send(path: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await request(`${gw.url}${path}`, { method: 'POST', body, headers });
  await response.body.dump();
  return response.statusCode;
}

describe('gateway logs', () => {
  it('are JSON lines without keys or payloads, even for failures', async () => {
    const event = JSON.stringify({ type: 'track', event: MARKER, userId: MARKER, writeKey: WRITE_KEY });
    expect(await send('/v1/track', event, { authorization: basic(WRITE_KEY) })).toBe(200);
    expect(await send(`/v1/webhook?writeKey=${WRITE_KEY}`, event, {})).toBe(200);
    expect(await send(`/beacon/v1/batch?writeKey=${WRITE_KEY}`, `{"batch":[${event}]}`, {})).toBe(200);
    expect(await send('/v1/track', `{"broken": "${MARKER}`, { authorization: basic(WRITE_KEY) })).toBe(400);
    expect(await send('/v1/track', event, { authorization: basic(`${WRITE_KEY}x`) })).toBe(401);
    const pixel = await request(`${gw.url}/pixel/v1/page?writeKey=${WRITE_KEY}&anonymousId=${MARKER}`);
    await pixel.body.dump();
    await new Promise((r) => setTimeout(r, 50));

    const lines = logs.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs).toContain('/beacon/v1/batch');
    expect(logs).not.toContain(WRITE_KEY);
    expect(logs).not.toContain(Buffer.from(`${WRITE_KEY}:`).toString('base64'));
    expect(logs).not.toContain(MARKER);
  });
});
