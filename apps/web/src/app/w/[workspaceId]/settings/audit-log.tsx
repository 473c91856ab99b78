'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { Button } from '../../../../components/ui/button';
import { Card } from '../../../../components/ui/card';
import { Json } from '../../../../components/ui/code';
import { EmptyState, ErrorState, Loading } from '../../../../components/ui/states';
import { formatDateTime } from '../../../../lib/format';
import { useTRPC } from '../../../../lib/trpc';

export function AuditLog() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const [open, setOpen] = useState<string | null>(null);
  const audit = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { workspaceId: workspace.id, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  if (audit.error) return <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />;
  if (audit.isPending) return <Loading label="Loading the audit log" rows={5} />;
  const entries = audit.data.pages.flatMap((p) => p.entries);
  if (entries.length === 0)
    return (
      <EmptyState
        title="Nothing recorded yet"
        description="Every change to this workspace is recorded here."
      />
    );
  return (
    <Card
      title="Audit log"
      description="Every change, who made it, and what it was before and after. Secrets are masked."
      padded={false}
    >
      <ol className="divide-y divide-ink-100">
        {entries.map((e) => (
          <li key={e.id}>
            <button
              type="button"
              aria-expanded={open === e.id}
              onClick={() => setOpen(open === e.id ? null : e.id)}
              className="flex w-full flex-wrap items-baseline gap-x-3 gap-y-1 px-5 py-3 text-left hover:bg-ink-50"
            >
              <code className="font-mono text-[13px] font-semibold text-ink-900">{e.action}</code>
              <span className="text-sm text-ink-600">
                by {e.actorLabel ?? (e.actorType === 'system' ? 'Keel' : 'a deleted actor')}
              </span>
              <span className="ml-auto text-xs tabular-nums text-ink-500">{formatDateTime(e.createdAt)}</span>
            </button>
            {open === e.id ? (
              <div className="grid gap-3 bg-ink-50 px-5 py-4 lg:grid-cols-2">
                <Json label="Before" value={e.before ?? undefined} />
                <Json label="After" value={e.after ?? undefined} />
              </div>
            ) : null}
          </li>
        ))}
      </ol>
      {audit.hasNextPage ? (
        <div className="border-t border-ink-100 p-4">
          <Button busy={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
            Load older entries
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
