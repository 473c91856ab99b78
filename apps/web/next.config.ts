import type { NextConfig } from 'next';

const config: NextConfig = {
  transpilePackages: ['@keel/shared'],
  poweredByHeader: false,
  devIndicators: false,
  reactStrictMode: true,
  // `npm run typecheck -w @keel/web` checks types; the build skips it, because checking the
  // AppRouter type pulls in the config-backend's sources and their own work in progress.
  typescript: { ignoreBuildErrors: true },
};

export default config;
