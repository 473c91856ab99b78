// Headers about one hop of the connection rather than the message; fetch sets its own.
const REQUEST_HOP_HEADERS = [
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'expect',
];
// fetch hands over the body decoded, so the upstream's encoding and length no longer describe it.
const RESPONSE_HOP_HEADERS = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
];

/**
 * Sends `request` on to `target` and answers with the upstream's status, headers (cookies
 * included) and body. Unlike a rewrite, it tells the browser nothing about where it forwarded.
 * An upstream that cannot be reached is a 502 with a message the tRPC client shows.
 */
export async function forward(request: Request, target: string): Promise<Response> {
  const headers = new Headers(request.headers);
  for (const name of REQUEST_HOP_HEADERS) headers.delete(name);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: 'manual',
      cache: 'no-store',
      signal: request.signal,
    });
  } catch {
    return Response.json(
      {
        error: {
          message: 'The web app cannot reach the config-backend right now. Try again in a moment.',
          code: -32603,
          data: { code: 'BAD_GATEWAY', httpStatus: 502 },
        },
      },
      { status: 502 },
    );
  }
  const responseHeaders = new Headers(upstream.headers);
  for (const name of RESPONSE_HOP_HEADERS) responseHeaders.delete(name);
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}
