'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { ButtonLink } from '../../../../components/ui/button';
import { Card, PageHeader } from '../../../../components/ui/card';
import { EmptyState, QueryState } from '../../../../components/ui/states';
import { Table } from '../../../../components/ui/table';
import { formatRelative } from '../../../../lib/format';
import { useTRPC } from '../../../../lib/trpc';

export default function TransformationsPage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const list = useQuery(trpc.transformations.list.queryOptions({ workspaceId: workspace.id }));
  const denied = workspace.denied('editor');
  const add = denied ? null : (
    <ButtonLink href={`/w/${workspace.id}/transformations/new`} variant="primary">
      New transformation
    </ButtonLink>
  );
  return (
    <>
      <PageHeader
        title="Transformations"
        description="JavaScript that reshapes, enriches or drops events on a connection, in a sandbox with time and memory limits."
        actions={add}
      />
      {denied ? <p className="mb-4 text-sm text-ink-500">Writing transformations: {denied}</p> : null}
      <QueryState query={list} loadingLabel="Loading transformations">
        {(items) =>
          items.length === 0 ? (
            <EmptyState
              title="No transformations yet"
              description="Start from a template: hash personal data, drop test traffic, rename events."
              action={add}
            />
          ) : (
            <Card padded={false}>
              <Table
                caption="Transformations"
                rows={items}
                rowKey={(t) => t.id}
                columns={[
                  {
                    header: 'Name',
                    cell: (t) => (
                      <Link
                        className="font-medium hover:underline"
                        href={`/w/${workspace.id}/transformations/${t.id}`}
                      >
                        {t.name}
                      </Link>
                    ),
                  },
                  { header: 'Latest', cell: (t) => `v${t.latestVersion.number}` },
                  { header: 'Connections', cell: (t) => t.connectionCount },
                  { header: 'Published', cell: (t) => formatRelative(t.latestVersion.createdAt), wide: true },
                ]}
              />
            </Card>
          )
        }
      </QueryState>
    </>
  );
}
