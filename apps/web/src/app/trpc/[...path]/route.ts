import { loadWebEnv } from '../../../env';
import { forward } from '../../../lib/forward';

/**
 * `/trpc/*`, same-origin for the browser, forwarded to the config-backend. CONFIG_BACKEND_URL
 * is read where the server runs, not fixed into the build (as a next.config rewrite would be).
 */
function toConfigBackend(request: Request): Promise<Response> {
  const { pathname, search } = new URL(request.url);
  return forward(request, `${loadWebEnv().CONFIG_BACKEND_URL}${pathname}${search}`);
}

export const GET = toConfigBackend;
export const POST = toConfigBackend;
export const dynamic = 'force-dynamic';
