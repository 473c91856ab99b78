import type { ConfigDestination, WorkspaceConfig } from '@keel/shared';

/**
 * The data-plane config the pipeline benchmarks serve: one workspace, one server source with
 * one write key, and a webhook destination at `sinkUrl` when one is given (none for the
 * gateway-only benchmark).
 */
export function benchWorkspaceConfig(options: {
  version: string;
  writeKey: { id: string; key: string };
  sink?: {
    id: string;
    url: string;
    batchingEnabled: boolean;
    maxBatchWaitMs: number;
    transformations?: ConfigDestination['transformations'];
  };
}): WorkspaceConfig {
  const { sink } = options;
  return {
    version: options.version,
    generatedAt: new Date().toISOString(),
    workspaces: [{ id: 'ws_bench', name: 'Bench', allowTransformFetch: false }],
    sources: [
      {
        id: 'src_bench',
        name: 'Bench',
        workspaceId: 'ws_bench',
        type: 'server',
        enabled: true,
        writeKeys: [options.writeKey],
        rateLimitPerSecond: null,
        destinations: sink
          ? [
              {
                id: sink.id,
                name: 'Sink',
                enabled: true,
                config: {
                  url: sink.url,
                  method: 'POST',
                  headers: [],
                  batchingEnabled: sink.batchingEnabled,
                  maxBatchSize: 100,
                  maxBatchWaitMs: sink.maxBatchWaitMs,
                },
                destinationDefinition: { name: 'webhook', displayName: 'Webhook' },
                connection: {
                  id: 'con_bench',
                  enabled: true,
                  filterMode: 'none',
                  filterEvents: [],
                  consentCategories: [],
                  orderingEnabled: true,
                },
                transformations: sink.transformations ?? [],
              },
            ]
          : [],
      },
    ],
  };
}
