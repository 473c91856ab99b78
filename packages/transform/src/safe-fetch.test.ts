import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformationSandbox } from './sandbox';

let server: http.Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/slow') return; // never answers
    if (req.url === '/huge') {
      res.end('x'.repeat(200_000));
      return;
    }
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ plan: 'pro', method: req.method, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const meta = [
  { sourceId: 's', sourceName: 'S', destinationId: 'd', destinationType: 'webhook', messageId: 'm' },
];
const event = { type: 'track', event: 'x', messageId: 'm' };

async function fetchWith(sandbox: TransformationSandbox, code: string) {
  const run = await sandbox.run({ code, allowFetch: true }, [event], meta);
  return run.outcomes[0];
}

describe('fetch inside transformations', () => {
  it('refuses loopback, private and link-local targets, even through a host name', async () => {
    const sandbox = new TransformationSandbox();
    try {
      for (const url of [
        `${base}/enrich`,
        'http://localhost:9/x',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/',
        'http://10.0.0.1/',
      ]) {
        const outcome = await fetchWith(
          sandbox,
          `export async function transformEvent(e) { await fetch(${JSON.stringify(url)}); return e; }`,
        );
        expect(outcome, url).toMatchObject({
          kind: 'failed',
          error: expect.stringMatching(
            /private, loopback or link-local address; transformations may only reach public hosts/,
          ),
        });
      }
      const scheme = await fetchWith(
        sandbox,
        'export async function transformEvent(e) { await fetch("file:///etc/passwd"); return e; }',
      );
      expect(scheme).toMatchObject({ kind: 'failed', error: expect.stringMatching(/only http and https/) });
      expect(hits).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it('fetches from an allowed host, with a timeout and a response-size cap', async () => {
    const sandbox = new TransformationSandbox({
      fetchAllowedCidrs: ['127.0.0.1/32'],
      fetchTimeoutMs: 300,
      fetchMaxResponseBytes: 100_000,
    });
    try {
      const ok = await fetchWith(
        sandbox,
        `export async function transformEvent(e) {
          const res = await fetch(${JSON.stringify(`${base}/enrich`)}, { method: 'POST', body: { id: 1 } });
          const v2 = await fetchV2(${JSON.stringify(`${base}/enrich`)});
          return { ...e, status: res.status, type: res.headers.get('Content-Type'), data: await res.json(), v2: v2.body.plan };
        }`,
      );
      expect(ok).toEqual({
        kind: 'events',
        events: [
          {
            ...event,
            status: 200,
            type: 'application/json',
            data: { plan: 'pro', method: 'POST', body: '{"id":1}' },
            v2: 'pro',
          },
        ],
      });
      const slow = await fetchWith(
        sandbox,
        `export async function transformEvent(e) { await fetch(${JSON.stringify(`${base}/slow`)}); return e; }`,
      );
      expect(slow).toEqual({ kind: 'failed', error: 'fetch: no response within 300 ms' });
      const huge = await fetchWith(
        sandbox,
        `export async function transformEvent(e) { await fetch(${JSON.stringify(`${base}/huge`)}); return e; }`,
      );
      expect(huge).toEqual({ kind: 'failed', error: 'fetch: the response is larger than 100000 bytes' });
    } finally {
      await sandbox.close();
    }
  });
});
