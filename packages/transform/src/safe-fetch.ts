import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressPolicy } from './address-policy';

/** What a transformation may pass to `fetch`: a subset of the Fetch API's init. */
export interface SafeFetchRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface SafeFetchResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  url: string;
}

export interface SafeFetchOptions {
  policy: AddressPolicy;
  timeoutMs: number;
  maxResponseBytes: number;
}

export class FetchRefused extends Error {
  override name = 'FetchRefused';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Fetch for transformations. Resolves the host first and refuses if ANY of its addresses is
 * private, loopback or link-local, then connects to the checked address itself (so a second
 * DNS answer cannot swap in a private one), follows no redirects, and stops at the timeout or
 * the response-size cap.
 */
export async function safeFetch(
  request: SafeFetchRequest,
  options: SafeFetchOptions,
): Promise<SafeFetchResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new FetchRefused(`fetch: "${String(request.url).slice(0, 200)}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchRefused(`fetch: only http and https URLs are allowed, not ${url.protocol}`);
  }
  const method = (request.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new FetchRefused(`fetch: method ${method} is not allowed`);

  const deadline = AbortSignal.timeout(options.timeoutMs);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(hostname)
    ? [{ address: hostname, family: net.isIP(hostname) }]
    : await withDeadline(
        dns.lookup(hostname, { all: true, verbatim: true }),
        deadline,
        options.timeoutMs,
      ).catch((error: unknown) => {
        if (error instanceof FetchRefused) throw error;
        throw new FetchRefused(`fetch: cannot resolve ${hostname}`);
      });
  const refused = addresses.find((a) => !options.policy.permits(a.address));
  if (refused || addresses.length === 0) {
    throw new FetchRefused(
      `fetch: ${hostname} resolves to ${refused?.address ?? 'no address'}, a private, loopback or link-local address; transformations may only reach public hosts`,
    );
  }
  const target = addresses[0]!;
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<SafeFetchResponse>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method,
        headers: { ...request.headers, 'user-agent': 'keel-transformation' },
        signal: deadline,
        lookup: (_host, _opts, callback) => callback(null, target.address, target.family),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxResponseBytes) {
            req.destroy();
            reject(new FetchRefused(`fetch: the response is larger than ${options.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers,
            body: Buffer.concat(chunks).toString('utf8'),
            url: url.href,
          });
        });
        res.on('error', (error) => reject(describe(error, options.timeoutMs)));
      },
    );
    req.on('error', (error) => reject(describe(error, options.timeoutMs)));
    req.end(request.body);
  });
}

function describe(error: Error, timeoutMs: number): Error {
  if (error instanceof FetchRefused) return error;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return new FetchRefused(`fetch: no response within ${timeoutMs} ms`);
  }
  return new FetchRefused(`fetch: ${error.message}`);
}

function withDeadline<T>(promise: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new FetchRefused(`fetch: no DNS answer within ${timeoutMs} ms`));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
