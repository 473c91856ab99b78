'use client';

import { Role } from '@keel/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { SecretOnce } from '../../../../components/secret-once';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { Button } from '../../../../components/ui/button';
import { Badge, Card } from '../../../../components/ui/card';
import { SelectField, TextField } from '../../../../components/ui/field';
import { FormError } from '../../../../components/ui/form-error';
import { EmptyState } from '../../../../components/ui/states';
import type { Column } from '../../../../components/ui/table';
import { TableCard } from '../../../../components/ui/table-card';
import { useToast } from '../../../../components/ui/toast';
import { fieldErrorsOf } from '../../../../lib/errors';
import { fieldBinder } from '../../../../lib/form';
import { formatRelative } from '../../../../lib/format';
import { refreshThenToast } from '../../../../lib/mutation-feedback';
import { useTRPC } from '../../../../lib/trpc';

function statusBadge(t: { revokedAt: string | null; expiresAt?: string | null }) {
  if (t.revokedAt) return <Badge tone="bad">Revoked</Badge>;
  if (t.expiresAt && Date.parse(t.expiresAt) < Date.now()) return <Badge>Expired</Badge>;
  return <Badge tone="ok">Active</Badge>;
}

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  revokedAt: string | null;
  expiresAt?: string | null;
}

/** Name and prefix first, then the columns a kind of token adds, then its status and a revoke button. */
function tokenColumns<T extends TokenRow>(
  middle: Array<Column<T>>,
  revoke: (t: T) => void,
): Array<Column<T>> {
  return [
    { header: 'Name', cell: (t) => <span className="font-medium">{t.name}</span> },
    { header: 'Token', cell: (t) => <code className="font-mono text-xs">{t.prefix}…</code> },
    ...middle,
    { header: 'Status', cell: statusBadge },
    {
      header: <span className="sr-only">Actions</span>,
      cell: (t) =>
        t.revokedAt ? null : (
          <Button size="sm" variant="danger" aria-label={`Revoke ${t.name}`} onClick={() => revoke(t)}>
            Revoke
          </Button>
        ),
    },
  ];
}

/**
 * The card that creates a token: its fields and a submit button in one row, the error below,
 * and the new token, shown once.
 */
function CreateTokenCard(props: {
  title: string;
  description: string;
  /** The grid's columns at md: the fields, then the button. */
  columns: string;
  onSubmit: () => void;
  pending: boolean;
  error: unknown;
  fieldErrors: Record<string, string>;
  secretLabel: string;
  created: string | null;
  onSecretDone: () => void;
  children: ReactNode;
}) {
  return (
    <Card title={props.title} description={props.description}>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          props.onSubmit();
        }}
        className={`grid gap-4 ${props.columns} md:items-end`}
        noValidate
      >
        {props.children}
        <div className={props.fieldErrors.name ? 'md:pb-5' : undefined}>
          <Button type="submit" variant="primary" busy={props.pending}>
            Create token
          </Button>
        </div>
      </form>
      <FormError error={props.error} fieldErrors={props.fieldErrors} className="mt-3" />
      {props.created ? (
        <div className="mt-4">
          <SecretOnce label={props.secretLabel} value={props.created} onDone={props.onSecretDone} />
        </div>
      ) : null}
    </Card>
  );
}

export function ApiTokens() {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('owner');
  const tokens = useQuery({
    ...trpc.apiTokens.list.queryOptions({ workspaceId: workspace.id }),
    enabled: !denied,
  });
  const [form, setForm] = useState<{ name: string; role: Role }>({ name: '', role: 'editor' });
  const [created, setCreated] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey() });
  const create = useMutation(
    trpc.apiTokens.create.mutationOptions({
      onSuccess: async (r) => {
        setCreated(r.token);
        setForm({ ...form, name: '' });
        await refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.apiTokens.revoke.mutationOptions(refreshThenToast(toast, refresh, 'Token revoked.')),
  );
  const errors = fieldErrorsOf(create.error);
  const bind = fieldBinder(form, setForm, errors);
  if (denied) return <EmptyState title="Only owners manage API tokens" description={denied} />;
  return (
    <div className="space-y-5">
      <CreateTokenCard
        title="Create an API token"
        description="For scripts and CI: send it as “Authorization: Bearer …” to the same API the web app uses."
        columns="md:grid-cols-[1fr_1fr_auto]"
        onSubmit={() => create.mutate({ workspaceId: workspace.id, ...form })}
        pending={create.isPending}
        error={create.error}
        fieldErrors={errors}
        secretLabel="API token"
        created={created}
        onSecretDone={() => setCreated(null)}
      >
        <TextField label="Token name" {...bind('name')} />
        <SelectField
          label="Role"
          value={form.role}
          onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
          options={Role.options.map((r) => ({ value: r, label: r }))}
        />
      </CreateTokenCard>
      <TableCard
        title="API tokens"
        query={tokens}
        loadingLabel="Loading tokens"
        empty="No API tokens yet."
        rowKey={(t) => t.id}
        columns={tokenColumns<NonNullable<typeof tokens.data>[number]>(
          [
            { header: 'Role', cell: (t) => t.role },
            { header: 'Last used', cell: (t) => formatRelative(t.lastUsedAt), wide: true },
          ],
          (t) => revoke.mutate({ workspaceId: workspace.id, id: t.id }),
        )}
      />
    </div>
  );
}

export function DataPlaneTokens() {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('owner');
  const tokens = useQuery({
    ...trpc.dataPlaneTokens.list.queryOptions({ workspaceId: workspace.id }),
    enabled: !denied,
  });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.dataPlaneTokens.list.queryKey() });
  const create = useMutation(
    trpc.dataPlaneTokens.create.mutationOptions({
      onSuccess: async (r) => {
        setCreated(r.token);
        setName('');
        await refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.dataPlaneTokens.revoke.mutationOptions(
      refreshThenToast(toast, refresh, 'Token revoked. A data plane using it can no longer pull config.'),
    ),
  );
  const errors = fieldErrorsOf(create.error);
  if (denied) return <EmptyState title="Only owners manage data-plane tokens" description={denied} />;
  return (
    <div className="space-y-5">
      <CreateTokenCard
        title="Create a data-plane token"
        description="A data plane running elsewhere uses it (DATA_PLANE_TOKEN) to pull this workspace's config and push reports."
        columns="md:grid-cols-[1fr_auto]"
        onSubmit={() => create.mutate({ workspaceId: workspace.id, name })}
        pending={create.isPending}
        error={create.error}
        fieldErrors={errors}
        secretLabel="Data-plane token"
        created={created}
        onSecretDone={() => setCreated(null)}
      >
        <TextField
          label="Data plane name"
          placeholder="eu-west-1"
          value={name}
          error={errors.name}
          onChange={(e) => setName(e.target.value)}
        />
      </CreateTokenCard>
      <TableCard
        title="Data-plane tokens"
        query={tokens}
        loadingLabel="Loading tokens"
        empty="No data-plane tokens yet."
        rowKey={(t) => t.id}
        columns={tokenColumns<NonNullable<typeof tokens.data>[number]>(
          [{ header: 'Last used', cell: (t) => formatRelative(t.lastUsedAt) }],
          (t) => revoke.mutate({ workspaceId: workspace.id, id: t.id }),
        )}
      />
    </div>
  );
}
