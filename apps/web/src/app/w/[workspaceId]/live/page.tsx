'use client';

import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { LiveEvents } from '../../../../components/live-events';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { PageHeader } from '../../../../components/ui/card';
import { useTRPC } from '../../../../lib/trpc';

export default function LivePage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const ws = { workspaceId: workspace.id };
  const sources = useQuery(trpc.sources.list.queryOptions(ws));
  const destinations = useQuery(trpc.destinations.list.queryOptions(ws));
  const [target, setTarget] = useState('');
  const selectId = useId();
  const [kind, id] = target.split(':');
  const nameOf = (destinationId: string | null) =>
    destinations.data?.find((d) => d.id === destinationId)?.name;
  return (
    <>
      <PageHeader
        title="Live events"
        description="Events as they arrive, with what was sent to each destination and its answer. Samples are taken only while this page is open."
        actions={
          <div>
            <label
              htmlFor={selectId}
              className="mb-1 block text-xs font-medium uppercase tracking-wide text-ink-500"
            >
              Show
            </label>
            <select
              id={selectId}
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              className="h-9 max-w-64 rounded-md border border-ink-300 bg-white px-2 text-sm"
            >
              <option value="">Every source</option>
              <optgroup label="Source">
                {(sources.data ?? []).map((s) => (
                  <option key={s.id} value={`source:${s.id}`}>
                    {s.name}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Destination">
                {(destinations.data ?? []).map((d) => (
                  <option key={d.id} value={`destination:${d.id}`}>
                    {d.name}
                  </option>
                ))}
              </optgroup>
            </select>
          </div>
        }
      />
      <LiveEvents
        key={target}
        workspaceId={workspace.id}
        sourceId={kind === 'source' ? id : undefined}
        destinationId={kind === 'destination' ? id : undefined}
        names={nameOf}
      />
    </>
  );
}
