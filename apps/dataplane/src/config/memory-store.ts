import type { WorkspaceConfig } from '@keel/shared';
import type { ConfigStore } from './config-store';

/** The ConfigStore every data-plane process uses: the poller (or a test) sets it, stages read it. */
export class MemoryConfigStore implements ConfigStore {
  private config: WorkspaceConfig | undefined;
  private readonly listeners = new Set<(config: WorkspaceConfig) => void>();

  constructor(initial?: WorkspaceConfig) {
    this.config = initial;
  }

  current(): WorkspaceConfig | undefined {
    return this.config;
  }

  set(config: WorkspaceConfig): void {
    this.config = config;
    for (const listener of this.listeners) listener(config);
  }

  onChange(listener: (config: WorkspaceConfig) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
