import type { WorkspaceConfig } from '@keel/shared';

/**
 * The data plane's view of the workspace config. The poller (config/poller.ts) keeps it
 * current from the config-backend; every stage reads `current()` and may subscribe to changes.
 */
export interface ConfigStore {
  /** The newest good config, or undefined before the first one arrived from anywhere. */
  current(): WorkspaceConfig | undefined;
  onChange(listener: (config: WorkspaceConfig) => void): () => void;
}
