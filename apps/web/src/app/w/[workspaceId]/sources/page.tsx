'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Sparkline } from '../../../../components/charts/sparkline';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { TypeBadge } from '../../../../components/type-badge';
import { ButtonLink } from '../../../../components/ui/button';
import { Badge, Card, PageHeader } from '../../../../components/ui/card';
import { EmptyState, QueryState } from '../../../../components/ui/states';
import { Table } from '../../../../components/ui/table';
import { formatNumber, formatRelative, lastActiveHour } from '../../../../lib/format';
import { SOURCE_TYPES } from '../../../../lib/source-types';
import { useTRPC } from '../../../../lib/trpc';

export default function SourcesPage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const sources = useQuery(trpc.sources.list.queryOptions({ workspaceId: workspace.id }));
  const volumes = useQuery(trpc.reports.sourceVolumes.queryOptions({ workspaceId: workspace.id }));
  const denied = workspace.denied('editor');
  const volumeOf = (id: string) => volumes.data?.find((v) => v.sourceId === id);

  return (
    <>
      <PageHeader
        title="Sources"
        description="Websites, apps and servers that send events to Keel."
        actions={
          denied ? null : (
            <ButtonLink href={`/w/${workspace.id}/sources/new`} variant="primary">
              Add source
            </ButtonLink>
          )
        }
      />
      {denied ? <p className="mb-4 text-sm text-ink-500">Adding sources: {denied}</p> : null}
      <QueryState query={sources} loadingLabel="Loading sources">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              title="No sources yet"
              description="Add a source to get a write key and a snippet for your site, app or server."
              action={
                denied ? null : (
                  <ButtonLink href={`/w/${workspace.id}/sources/new`} variant="primary">
                    Add your first source
                  </ButtonLink>
                )
              }
            />
          ) : (
            <Card padded={false}>
              <Table
                caption="Sources"
                rows={list}
                rowKey={(s) => s.id}
                columns={[
                  {
                    header: 'Source',
                    cell: (s) => (
                      <Link
                        href={`/w/${workspace.id}/sources/${s.id}`}
                        className="group flex items-center gap-3"
                      >
                        <TypeBadge code={SOURCE_TYPES[s.type].badge} />
                        <span className="min-w-0">
                          <span className="block truncate font-medium text-ink-900 group-hover:underline">
                            {s.name}
                          </span>
                          <span className="block text-xs text-ink-500">{SOURCE_TYPES[s.type].title}</span>
                        </span>
                      </Link>
                    ),
                  },
                  {
                    header: 'Status',
                    cell: (s) => (s.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>),
                  },
                  {
                    header: 'Events, last 24 h',
                    cell: (s) => {
                      const v = volumeOf(s.id);
                      if (volumes.error) return <span className="text-xs text-bad-700">unavailable</span>;
                      if (!v) return <span className="text-ink-500">{volumes.isPending ? '…' : '0'}</span>;
                      return (
                        <span className="flex items-center gap-3">
                          <Sparkline
                            values={v.hourly}
                            label={`${s.name}: ${v.total} events in the last 24 hours`}
                          />
                          <span className="tabular-nums">{formatNumber(v.total)}</span>
                        </span>
                      );
                    },
                  },
                  {
                    header: 'Last event',
                    wide: true,
                    cell: (s) => {
                      const last = s.writeKeys
                        .map((k) => k.lastUsedAt)
                        .filter((d): d is NonNullable<typeof d> => Boolean(d))
                        .sort()
                        .at(-1);
                      if (last) return <span className="text-ink-600">{formatRelative(last)}</span>;
                      // Keys record their last use lazily; the hourly report says it too.
                      return (
                        <span className="text-ink-600">{lastActiveHour(volumeOf(s.id)?.hourly ?? [])}</span>
                      );
                    },
                  },
                ]}
              />
            </Card>
          )
        }
      </QueryState>
    </>
  );
}
