import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { loadWebEnv } from '../env';
import { PublicConfigProvider } from '../lib/public-config';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: { default: 'Keel', template: '%s · Keel' },
  description: 'Collect customer events and deliver them wherever they are needed.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so DATA_PLANE_URL is read where the app runs, not where it was built.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <PublicConfigProvider value={{ dataPlaneUrl: loadWebEnv().DATA_PLANE_URL }}>
          <Providers>{children}</Providers>
        </PublicConfigProvider>
      </body>
    </html>
  );
}
