'use client';

import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { DeliveryDashboard } from '../../../../components/delivery-dashboard';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { PageHeader } from '../../../../components/ui/card';
import { useTRPC } from '../../../../lib/trpc';

export default function DeliveryPage() {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const destinations = useQuery(trpc.destinations.list.queryOptions({ workspaceId: workspace.id }));
  const sources = useQuery(trpc.sources.list.queryOptions({ workspaceId: workspace.id }));
  const [destinationId, setDestinationId] = useState('');
  const selectId = useId();
  const nameOf = (id: string) => destinations.data?.find((d) => d.id === id)?.name ?? id;
  const sourceName = (id: string) => sources.data?.find((s) => s.id === id)?.name ?? id;
  return (
    <>
      <PageHeader
        title="Delivery"
        description="What the data planes delivered, retried, failed and dropped, how fast, and what the gateway rejected."
        actions={
          <div>
            <label
              htmlFor={selectId}
              className="mb-1 block text-xs font-medium uppercase tracking-wide text-ink-500"
            >
              Destination
            </label>
            <select
              id={selectId}
              value={destinationId}
              onChange={(e) => setDestinationId(e.target.value)}
              className="h-9 rounded-md border border-ink-300 bg-white px-2 text-sm"
            >
              <option value="">All destinations</option>
              {(destinations.data ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </div>
        }
      />
      <DeliveryDashboard
        key={destinationId}
        workspaceId={workspace.id}
        destinationId={destinationId || undefined}
        destinationName={nameOf}
        sourceName={sourceName}
      />
    </>
  );
}
