import type { NextConfig } from 'next';
import { loadWebEnv } from './src/env';

const env = loadWebEnv();

const config: NextConfig = {
  transpilePackages: ['@keel/shared'],
  poweredByHeader: false,
  devIndicators: false,
  reactStrictMode: true,
  async rewrites() {
    return [{ source: '/trpc/:path*', destination: `${env.CONFIG_BACKEND_URL}/trpc/:path*` }];
  },
};

export default config;
