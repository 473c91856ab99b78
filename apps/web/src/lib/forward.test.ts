import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward } from './forward';

describe('forward', () => {
  const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let upstream: http.Server;
  let base = '';

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.setHeader('set-cookie', ['session=abc; Path=/; HttpOnly', 'csrf=1; Path=/']);
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-encoding', 'gzip');
        res.statusCode = req.url?.includes('missing') ? 404 : 200;
        res.end(gzipSync(JSON.stringify({ ok: true })));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(() => upstream.close());

  it('passes method, path, query, headers and body on, and answers with status, every cookie and the decoded body', async () => {
    const request = new Request('http://web.example/trpc/auth.login?batch=1', {
      method: 'POST',
      headers: { origin: 'http://web.example', cookie: 'session=old', 'content-type': 'application/json' },
      body: JSON.stringify({ 0: { email: 'ada@example.com' } }),
    });
    const response = await forward(request, `${base}/trpc/auth.login?batch=1`);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/; HttpOnly', 'csrf=1; Path=/']);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.json()).toEqual({ ok: true });
    const last = seen.at(-1);
    expect(last).toMatchObject({ method: 'POST', url: '/trpc/auth.login?batch=1' });
    expect(last?.headers).toMatchObject({ origin: 'http://web.example', cookie: 'session=old' });
    expect(last?.headers.host).toBe(new URL(base).host);
    expect(JSON.parse(last?.body ?? '')).toEqual({ 0: { email: 'ada@example.com' } });
  });

  it("keeps the upstream's error status", async () => {
    const response = await forward(new Request('http://web.example/trpc/missing'), `${base}/trpc/missing`);
    expect(response.status).toBe(404);
  });

  it('answers 502 with a message the tRPC client shows when the upstream cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const response = await forward(
      new Request('http://web.example/trpc/auth.me'),
      `http://127.0.0.1:${port}/trpc/auth.me`,
    );
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      error: {
        message: expect.stringContaining('cannot reach the config-backend'),
        data: { httpStatus: 502 },
      },
    });
  });
});
