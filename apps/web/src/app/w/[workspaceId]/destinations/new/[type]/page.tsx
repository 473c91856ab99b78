'use client';

import { findDestinationType } from '@keel/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { useWorkspace } from '../../../../../../components/shell/workspace-context';
import { TypeBadge } from '../../../../../../components/type-badge';
import { ButtonLink } from '../../../../../../components/ui/button';
import { Card, PageHeader } from '../../../../../../components/ui/card';
import { TextField } from '../../../../../../components/ui/field';
import { EmptyState } from '../../../../../../components/ui/states';
import { ConfigForm } from '../../../../../../forms/config-form';
import { destinationBadge } from '../../../../../../lib/destination-badges';
import { errorMessage, fieldErrorsOf, fieldErrorsUnder } from '../../../../../../lib/errors';
import { useTRPC } from '../../../../../../lib/trpc';

export default function NewDestinationPage() {
  const { type: typeId } = useParams<{ type: string }>();
  const type = findDestinationType(typeId);
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.destinations.create.mutationOptions({
      onSuccess: async (d) => {
        await queryClient.invalidateQueries({ queryKey: trpc.destinations.list.queryKey() });
        router.push(`/w/${workspace.id}/destinations/${d.id}?created=1`);
      },
    }),
  );
  if (!type) {
    return (
      <EmptyState
        title="Unknown destination type"
        description={`Keel has no destination type “${typeId}”.`}
        action={<ButtonLink href={`/w/${workspace.id}/destinations/new`}>Back to the catalog</ButtonLink>}
      />
    );
  }
  const nameError = fieldErrorsOf(create.error).name;
  const configErrors = fieldErrorsUnder(create.error, 'config.');
  return (
    <>
      <PageHeader
        eyebrow="Add a destination"
        title={
          <span className="flex items-center gap-3">
            <TypeBadge code={destinationBadge(type.id)} tone="ink" />
            {type.title}
          </span>
        }
        description={type.description}
      />
      <Card className="max-w-2xl">
        <ConfigForm
          schema={type.configSchema}
          keptSecret={{ kind: 'omit' }}
          submitLabel="Save destination"
          busy={create.isPending}
          disabledReason={workspace.denied('editor')}
          serverErrors={configErrors}
          onSubmit={(config) => create.mutate({ workspaceId: workspace.id, name, type: type.id, config })}
          before={
            <>
              <TextField
                label="Destination name"
                placeholder={`${type.title} for production`}
                value={name}
                error={nameError}
                onChange={(e) => setName(e.target.value)}
              />
              {create.error && !nameError && Object.keys(configErrors).length === 0 ? (
                <p role="alert" className="text-sm font-medium text-bad-700">
                  {errorMessage(create.error)}
                </p>
              ) : null}
            </>
          }
        />
      </Card>
    </>
  );
}
