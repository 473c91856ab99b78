'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { Button } from '../../../../components/ui/button';
import { Card } from '../../../../components/ui/card';
import { SelectField } from '../../../../components/ui/field';
import { useToast } from '../../../../components/ui/toast';
import { errorMessage } from '../../../../lib/errors';
import { useTRPC } from '../../../../lib/trpc';

export function NewConnection({
  sources,
  destinations,
  connections,
  onCreated,
}: {
  sources: Array<{ id: string; name: string }>;
  destinations: Array<{ id: string; name: string }>;
  connections: Array<{ sourceId: string; destinationId: string }>;
  onCreated: (id: string) => void;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [sourceId, setSourceId] = useState(sources[0]?.id ?? '');
  const [destinationId, setDestinationId] = useState(destinations[0]?.id ?? '');
  const create = useMutation(
    trpc.connections.create.mutationOptions({
      onSuccess: async (c) => {
        await queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() });
        toast('Connected.');
        onCreated(c.id);
      },
    }),
  );
  const exists = connections.some((c) => c.sourceId === sourceId && c.destinationId === destinationId);
  return (
    <Card title="New connection">
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ workspaceId: workspace.id, sourceId, destinationId });
        }}
      >
        <SelectField
          label="From source"
          value={sourceId}
          onChange={(e) => setSourceId(e.target.value)}
          options={sources.map((s) => ({ value: s.id, label: s.name }))}
        />
        <SelectField
          label="To destination"
          value={destinationId}
          onChange={(e) => setDestinationId(e.target.value)}
          options={destinations.map((d) => ({ value: d.id, label: d.name }))}
        />
        {create.error ? (
          <p role="alert" className="text-sm font-medium text-bad-700">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <Button
          type="submit"
          variant="primary"
          busy={create.isPending}
          disabledReason={workspace.denied('editor') ?? (exists ? 'These two are already connected.' : null)}
        >
          Connect
        </Button>
      </form>
    </Card>
  );
}
