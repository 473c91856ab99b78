'use client';

import { createContext, type ReactNode, useContext } from 'react';

/** Settings the server hands to the browser; read from env.ts in the root layout. */
export interface PublicConfig {
  dataPlaneUrl: string;
}

const PublicConfigContext = createContext<PublicConfig | null>(null);

export function PublicConfigProvider({ value, children }: { value: PublicConfig; children: ReactNode }) {
  return <PublicConfigContext.Provider value={value}>{children}</PublicConfigContext.Provider>;
}

export function usePublicConfig(): PublicConfig {
  const config = useContext(PublicConfigContext);
  if (!config) throw new Error('usePublicConfig must be used inside <PublicConfigProvider>');
  return config;
}
