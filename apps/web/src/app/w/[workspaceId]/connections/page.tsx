'use client';

import { findDestinationType } from '@keel/shared';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { Suspense, useMemo, useState } from 'react';
import {
  ConnectionGraph,
  type Edge,
  HEALTH_COLORS,
  HealthLegend,
} from '../../../../components/connection-graph';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { ButtonLink } from '../../../../components/ui/button';
import { Card, PageHeader } from '../../../../components/ui/card';
import { EmptyState, ErrorState, Loading } from '../../../../components/ui/states';
import { connectionHealth } from '../../../../lib/health';
import { SOURCE_TYPES } from '../../../../lib/source-types';
import { useTRPC } from '../../../../lib/trpc';
import { ConnectionOptions } from './connection-options';
import { NewConnection } from './new-connection';

export default function ConnectionsRoute() {
  return (
    <Suspense>
      <ConnectionsPage />
    </Suspense>
  );
}

function ConnectionsPage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const initial = useSearchParams().get('c');
  const [selected, setSelected] = useState<string | null>(initial);
  const ws = { workspaceId: workspace.id };
  const sources = useQuery(trpc.sources.list.queryOptions(ws));
  const destinations = useQuery(trpc.destinations.list.queryOptions(ws));
  const connections = useQuery(trpc.connections.list.queryOptions(ws));
  const health = useQuery({
    ...trpc.reports.connectionHealth.queryOptions({ ...ws, minutes: 60 }),
    refetchInterval: 30_000,
  });

  const edges: Edge[] = useMemo(
    () =>
      (connections.data ?? []).map((c) => ({
        id: c.id,
        sourceId: c.sourceId,
        destinationId: c.destinationId,
        health: connectionHealth({
          connectionEnabled: c.enabled,
          sourceEnabled: sources.data?.find((s) => s.id === c.sourceId)?.enabled ?? true,
          destinationEnabled: destinations.data?.find((d) => d.id === c.destinationId)?.enabled ?? true,
          counts: health.data?.find((h) => h.sourceId === c.sourceId && h.destinationId === c.destinationId),
        }),
      })),
    [connections.data, sources.data, destinations.data, health.data],
  );

  const failed = sources.error ?? destinations.error ?? connections.error;
  const loading = sources.isPending || destinations.isPending || connections.isPending;
  const current = connections.data?.find((c) => c.id === selected);

  return (
    <>
      <PageHeader
        title="Connections"
        description="Which sources feed which destinations. Select a line to change its filters, consent, ordering and transformation."
      />
      {failed ? (
        <ErrorState error={failed} onRetry={() => void connections.refetch()} />
      ) : loading ? (
        <Loading label="Loading connections" rows={4} />
      ) : sources.data?.length === 0 || destinations.data?.length === 0 ? (
        <EmptyState
          title="Nothing to connect yet"
          description="A connection needs at least one source and one destination."
          action={
            <div className="flex flex-wrap justify-center gap-2">
              <ButtonLink href={`/w/${workspace.id}/sources/new`}>Add a source</ButtonLink>
              <ButtonLink href={`/w/${workspace.id}/destinations/new`}>Add a destination</ButtonLink>
            </div>
          }
        />
      ) : (
        <div className="space-y-5">
          <Card
            title="Graph"
            description={
              health.error
                ? 'Health is unavailable: the delivery reports could not be read.'
                : 'Line colour: delivery health over the last hour.'
            }
            actions={<HealthLegend />}
          >
            {edges.length === 0 ? (
              <p className="mb-4 text-sm text-ink-600">
                No connections yet: connect a source to a destination below.
              </p>
            ) : null}
            <ConnectionGraph
              sources={(sources.data ?? []).map((s) => ({
                id: s.id,
                name: s.name,
                detail: SOURCE_TYPES[s.type].title,
                enabled: s.enabled,
              }))}
              destinations={(destinations.data ?? []).map((d) => ({
                id: d.id,
                name: d.name,
                detail: findDestinationType(d.type)?.title ?? d.type,
                enabled: d.enabled,
              }))}
              edges={edges}
              selected={selected}
              onSelect={setSelected}
            />
            {/* On a phone the graph's labels get small; the same connections as a list. */}
            <ul className="mt-4 space-y-2 md:hidden" aria-label="Connections">
              {edges.map((e) => (
                <li key={e.id}>
                  <button
                    type="button"
                    aria-pressed={selected === e.id}
                    onClick={() => setSelected(e.id)}
                    className="flex w-full items-center gap-2 rounded-md border border-ink-200 px-3 py-2 text-left text-sm"
                  >
                    <span
                      aria-hidden
                      className="h-2.5 w-2.5 shrink-0 rounded-full"
                      style={{ background: HEALTH_COLORS[e.health] }}
                    />
                    <span className="min-w-0 flex-1 truncate">
                      {sources.data?.find((s) => s.id === e.sourceId)?.name} →{' '}
                      {destinations.data?.find((d) => d.id === e.destinationId)?.name}
                    </span>
                    <span className="text-xs text-ink-500">{e.health === 'off' ? 'disabled' : e.health}</span>
                  </button>
                </li>
              ))}
            </ul>
          </Card>
          <div className="grid gap-5 lg:grid-cols-2">
            {current ? (
              <ConnectionOptions
                key={`${current.id}:${current.version}`}
                connection={current}
                sourceName={sources.data?.find((s) => s.id === current.sourceId)?.name ?? current.sourceId}
                destinationName={
                  destinations.data?.find((d) => d.id === current.destinationId)?.name ??
                  current.destinationId
                }
                onDeleted={() => setSelected(null)}
              />
            ) : (
              <Card title="Connection options">
                <p className="text-sm text-ink-600">
                  Select a line in the graph to see and change its options.
                </p>
              </Card>
            )}
            <NewConnection
              sources={sources.data ?? []}
              destinations={destinations.data ?? []}
              connections={connections.data ?? []}
              onCreated={setSelected}
            />
          </div>
        </div>
      )}
    </>
  );
}
