import { type NextRequest, NextResponse } from 'next/server';
import { loadWebEnv } from './env';

let configBackendUrl: string | undefined;

/**
 * Forwards `/trpc/*` to the config-backend, same-origin for the browser. The target is read
 * from CONFIG_BACKEND_URL when the server runs, not when the app was built (a rewrite in
 * next.config is fixed into the build), so one build serves any ports or hosts.
 */
export function proxy(request: NextRequest): NextResponse {
  configBackendUrl ??= loadWebEnv().CONFIG_BACKEND_URL;
  const { pathname, search } = request.nextUrl;
  return NextResponse.rewrite(new URL(`${configBackendUrl}${pathname}${search}`));
}

export const config = { matcher: '/trpc/:path*' };
