'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { Button } from '../../../../components/ui/button';
import { Card } from '../../../../components/ui/card';
import { TextField, Toggle } from '../../../../components/ui/field';
import { QueryState } from '../../../../components/ui/states';
import { useToast } from '../../../../components/ui/toast';
import { errorMessage, fieldErrorsOf } from '../../../../lib/errors';
import { refreshThenToast } from '../../../../lib/mutation-feedback';
import { useTRPC } from '../../../../lib/trpc';

export function WorkspaceSettings() {
  const trpc = useTRPC();
  const toast = useToast();
  const router = useRouter();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('owner');
  const current = useQuery(trpc.workspaces.get.queryOptions({ workspaceId: workspace.id }));
  const [name, setName] = useState(workspace.name);
  const [newName, setNewName] = useState('');
  const refresh = () => queryClient.invalidateQueries();
  const rename = useMutation(
    trpc.workspaces.rename.mutationOptions({
      onSuccess: async () => {
        await refresh();
        toast('Workspace renamed.');
      },
    }),
  );
  const settings = useMutation(
    trpc.workspaces.updateSettings.mutationOptions(refreshThenToast(toast, refresh, 'Saved.')),
  );
  const create = useMutation(
    trpc.workspaces.create.mutationOptions({
      onSuccess: async (w) => {
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        router.push(`/w/${w.id}`);
      },
    }),
  );
  return (
    <div className="grid gap-5 lg:grid-cols-2">
      <Card title="Name">
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ workspaceId: workspace.id, name });
          }}
        >
          <TextField
            label="Workspace name"
            value={name}
            error={fieldErrorsOf(rename.error).name}
            onChange={(e) => setName(e.target.value)}
          />
          <Button type="submit" variant="primary" busy={rename.isPending} disabledReason={denied}>
            Rename
          </Button>
        </form>
      </Card>
      <Card title="Transformations">
        <QueryState query={current} loadingLabel="Loading settings">
          {(w) => (
            <>
              <Toggle
                label="Allow fetch() in transformations"
                help="Lets user code call HTTP APIs on allow-listed hosts. Off by default."
                checked={w.allowTransformFetch}
                disabled={Boolean(denied) || settings.isPending}
                onChange={(allowTransformFetch) =>
                  settings.mutate({ workspaceId: workspace.id, allowTransformFetch })
                }
              />
              {denied ? <p className="mt-2 text-xs text-ink-500">{denied}</p> : null}
            </>
          )}
        </QueryState>
      </Card>
      <Card
        title="Another workspace"
        description="For another team, product or environment. You become its owner."
      >
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name: newName });
          }}
        >
          <TextField
            label="New workspace name"
            value={newName}
            error={fieldErrorsOf(create.error).name}
            onChange={(e) => setNewName(e.target.value)}
          />
          {create.error && !fieldErrorsOf(create.error).name ? (
            <p role="alert" className="text-sm text-bad-700">
              {errorMessage(create.error)}
            </p>
          ) : null}
          <Button type="submit" busy={create.isPending}>
            Create workspace
          </Button>
        </form>
      </Card>
    </div>
  );
}
