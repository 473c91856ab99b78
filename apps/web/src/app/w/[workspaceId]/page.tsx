'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useWorkspace } from '../../../components/shell/workspace-context';
import { Card, PageHeader } from '../../../components/ui/card';
import { ErrorState, Loading } from '../../../components/ui/states';
import { formatMs, formatNumber } from '../../../lib/format';
import { rangeOf } from '../../../lib/ranges';
import { useTRPC } from '../../../lib/trpc';
import { SetupGuide } from './setup-guide';

export default function OverviewPage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const ws = { workspaceId: workspace.id };
  const sources = useQuery(trpc.sources.list.queryOptions(ws));
  const destinations = useQuery(trpc.destinations.list.queryOptions(ws));
  const connections = useQuery(trpc.connections.list.queryOptions(ws));
  const day = useMemo(() => rangeOf('24h'), []);
  const series = useQuery(trpc.reports.timeseries.queryOptions({ ...ws, ...day }));
  const failed = sources.error ?? destinations.error ?? connections.error;
  const progress =
    sources.data && destinations.data && connections.data
      ? {
          sources: sources.data.length,
          destinations: destinations.data.length,
          connections: connections.data.length,
        }
      : undefined;
  const complete = progress && progress.sources > 0 && progress.destinations > 0 && progress.connections > 0;

  return (
    <>
      <PageHeader
        eyebrow="Overview"
        title={workspace.name}
        description="Collect events from your apps and deliver them to the tools your team uses."
      />
      {failed ? (
        <ErrorState error={failed} onRetry={() => void sources.refetch()} />
      ) : !progress ? (
        <Loading label="Loading the workspace" rows={3} />
      ) : (
        <div className="space-y-5">
          {complete ? null : <SetupGuide progress={progress} />}
          <Card title="Last 24 hours">
            {series.error ? (
              <ErrorState error={series.error} />
            ) : !series.data ? (
              <Loading rows={1} />
            ) : (
              <dl className="grid grid-cols-2 gap-4 md:grid-cols-5">
                {[
                  ['Sources', formatNumber(progress.sources)],
                  ['Destinations', formatNumber(progress.destinations)],
                  ['Delivered', formatNumber(series.data.totals.delivered)],
                  ['Failed', formatNumber(series.data.totals.aborted)],
                  ['p95 latency', formatMs(series.data.totals.latencyP95Ms)],
                ].map(([label, value]) => (
                  <div key={label}>
                    <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">{label}</dt>
                    <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
                  </div>
                ))}
              </dl>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
