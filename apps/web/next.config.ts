import type { NextConfig } from 'next';
import { loadWebEnv } from './src/env';

const env = loadWebEnv();

const config: NextConfig = {
  transpilePackages: ['@keel/shared'],
  poweredByHeader: false,
  devIndicators: false,
  reactStrictMode: true,
  // `npm run typecheck -w @keel/web` checks types; the build skips it, because checking the
  // AppRouter type pulls in the config-backend's sources and their own work in progress.
  typescript: { ignoreBuildErrors: true },
  async rewrites() {
    return [{ source: '/trpc/:path*', destination: `${env.CONFIG_BACKEND_URL}/trpc/:path*` }];
  },
};

export default config;
