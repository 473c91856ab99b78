import type { DeliveryRequest } from '@keel/shared';
import { Agent, request } from 'undici';

/** What came back for one request: an HTTP response, or a network error with its code. */
export type SendResult =
  | { kind: 'response'; status: number; body: string; retryAfter: string | undefined; ms: number }
  | { kind: 'error'; code: string; message: string; ms: number };

const MAX_BODY = 2_048;

/** One connection pool per destination, so a slow destination uses up only its own sockets. */
export function destinationAgent(concurrency: number, timeoutMs: number): Agent {
  return new Agent({
    connections: concurrency,
    pipelining: 1,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
  });
}

export async function send(agent: Agent, req: DeliveryRequest, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  try {
    const response = await request(req.url, {
      dispatcher: agent,
      method: req.method,
      headers: req.headers,
      body: req.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    let body = await response.body.text();
    if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY)}…`;
    const retryAfter = response.headers['retry-after'];
    return {
      kind: 'response',
      status: response.statusCode,
      body,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    const e = error as { code?: string; name?: string; message?: string };
    const code =
      e.name === 'TimeoutError' || e.name === 'AbortError' ? 'TIMEOUT' : (e.code ?? e.name ?? 'ERROR');
    return {
      kind: 'error',
      code,
      message: e.message ?? String(error),
      ms: Math.round(performance.now() - started),
    };
  }
}
