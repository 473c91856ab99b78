'use client';

import { findDestinationType } from '@keel/shared';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { TypeBadge } from '../../../../components/type-badge';
import { ButtonLink } from '../../../../components/ui/button';
import { Badge, Card, PageHeader } from '../../../../components/ui/card';
import { EmptyState, QueryState } from '../../../../components/ui/states';
import { Table } from '../../../../components/ui/table';
import { destinationBadge } from '../../../../lib/destination-badges';
import { formatRelative } from '../../../../lib/format';
import { useTRPC } from '../../../../lib/trpc';

export default function DestinationsPage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const destinations = useQuery(trpc.destinations.list.queryOptions({ workspaceId: workspace.id }));
  const connections = useQuery(trpc.connections.list.queryOptions({ workspaceId: workspace.id }));
  const denied = workspace.denied('editor');
  return (
    <>
      <PageHeader
        title="Destinations"
        description="The tools and endpoints Keel delivers events to."
        actions={
          denied ? null : (
            <ButtonLink href={`/w/${workspace.id}/destinations/new`} variant="primary">
              Add destination
            </ButtonLink>
          )
        }
      />
      {denied ? <p className="mb-4 text-sm text-ink-500">Adding destinations: {denied}</p> : null}
      <QueryState query={destinations} loadingLabel="Loading destinations">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              title="No destinations yet"
              description="Pick one from the catalog: a webhook works with anything that accepts HTTP."
              action={
                denied ? null : (
                  <ButtonLink href={`/w/${workspace.id}/destinations/new`} variant="primary">
                    Browse the catalog
                  </ButtonLink>
                )
              }
            />
          ) : (
            <Card padded={false}>
              <Table
                caption="Destinations"
                rows={list}
                rowKey={(d) => d.id}
                columns={[
                  {
                    header: 'Destination',
                    cell: (d) => (
                      <Link
                        href={`/w/${workspace.id}/destinations/${d.id}`}
                        className="group flex items-center gap-3"
                      >
                        <TypeBadge code={destinationBadge(d.type)} tone="ink" />
                        <span className="min-w-0">
                          <span className="block truncate font-medium group-hover:underline">{d.name}</span>
                          <span className="block text-xs text-ink-500">
                            {findDestinationType(d.type)?.title ?? d.type}
                          </span>
                        </span>
                      </Link>
                    ),
                  },
                  {
                    header: 'Status',
                    cell: (d) => (d.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>),
                  },
                  {
                    header: 'Sources',
                    cell: (d) => {
                      const n = connections.data?.filter((c) => c.destinationId === d.id).length;
                      return n === undefined ? '…' : n === 0 ? <span className="text-ink-500">none</span> : n;
                    },
                  },
                  { header: 'Updated', cell: (d) => formatRelative(d.updatedAt), wide: true },
                ]}
              />
            </Card>
          )
        }
      </QueryState>
    </>
  );
}
