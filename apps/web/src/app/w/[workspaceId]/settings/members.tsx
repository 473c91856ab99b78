'use client';

import { CreateInvitationInput, Role } from '@keel/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { SecretOnce } from '../../../../components/secret-once';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { Button } from '../../../../components/ui/button';
import { Badge, Card } from '../../../../components/ui/card';
import { SelectField, TextField } from '../../../../components/ui/field';
import { FormError } from '../../../../components/ui/form-error';
import { EmptyState, QueryState } from '../../../../components/ui/states';
import { Table } from '../../../../components/ui/table';
import { TableCard } from '../../../../components/ui/table-card';
import { useToast } from '../../../../components/ui/toast';
import { fieldErrorsOf } from '../../../../lib/errors';
import { fieldBinder } from '../../../../lib/form';
import { formatRelative } from '../../../../lib/format';
import { refreshThenToast } from '../../../../lib/mutation-feedback';
import { useTRPC } from '../../../../lib/trpc';

const ROLE_HELP: Record<Role, string> = {
  owner: 'Everything, including members, tokens and workspace settings',
  editor: 'Sources, destinations, connections, transformations and replays',
  viewer: 'Read-only',
};
const roleOptions = Role.options.map((r) => ({ value: r, label: `${r} — ${ROLE_HELP[r]}` }));
/** How long a new invitation stays valid: the server's default, since the form does not set it. */
const invitationDays = CreateInvitationInput.shape.expiresInHours.def.defaultValue / 24;

export function Members() {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const members = useQuery(trpc.members.list.queryOptions({ workspaceId: workspace.id }));
  const denied = workspace.denied('owner');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions(refreshThenToast(toast, refresh, 'Role changed.')),
  );
  const remove = useMutation(
    trpc.members.remove.mutationOptions(refreshThenToast(toast, refresh, 'Member removed.')),
  );
  return (
    <Card
      title="Members"
      description={denied ? `Changing roles: ${denied}` : 'Who can see and change this workspace.'}
      padded={false}
    >
      <QueryState query={members} loadingLabel="Loading members">
        {(list) => (
          <Table
            caption="Members"
            rows={list}
            rowKey={(m) => m.userId}
            columns={[
              {
                header: 'Person',
                cell: (m) => (
                  <span>
                    <span className="block font-medium">
                      {m.name}
                      {m.userId === workspace.user?.id ? <span className="text-ink-500"> (you)</span> : null}
                    </span>
                    <span className="block text-xs text-ink-500">{m.email}</span>
                  </span>
                ),
              },
              {
                header: 'Role',
                cell: (m) => (
                  <select
                    aria-label={`Role of ${m.name}`}
                    value={m.role}
                    disabled={Boolean(denied) || changeRole.isPending}
                    title={denied ?? undefined}
                    onChange={(e) =>
                      changeRole.mutate({
                        workspaceId: workspace.id,
                        userId: m.userId,
                        role: e.target.value as Role,
                      })
                    }
                    className="h-8 rounded-md border border-ink-300 bg-white px-2 text-sm disabled:bg-ink-100"
                  >
                    {Role.options.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                ),
              },
              { header: 'Member since', cell: (m) => formatRelative(m.createdAt), wide: true },
              {
                header: <span className="sr-only">Actions</span>,
                cell: (m) =>
                  m.userId === workspace.user?.id ? null : (
                    <Button
                      size="sm"
                      variant="danger"
                      disabled={Boolean(denied)}
                      title={denied ?? undefined}
                      onClick={() => remove.mutate({ workspaceId: workspace.id, userId: m.userId })}
                    >
                      Remove
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
    </Card>
  );
}

export function Invitations() {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('owner');
  const invitations = useQuery({
    ...trpc.invitations.list.queryOptions({ workspaceId: workspace.id }),
    enabled: !denied,
  });
  const [form, setForm] = useState<{ email: string; role: Role }>({ email: '', role: 'editor' });
  const [link, setLink] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey() });
  const create = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: async (r) => {
        setLink(r.link);
        setForm({ email: '', role: form.role });
        await refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions(refreshThenToast(toast, refresh, 'Invitation revoked.')),
  );
  const errors = fieldErrorsOf(create.error);
  const bind = fieldBinder(form, setForm, errors);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      workspaceId: workspace.id,
      role: form.role,
      ...(form.email.trim() ? { email: form.email.trim() } : {}),
    });
  };
  if (denied) {
    return <EmptyState title="Only owners manage invitations" description={denied} />;
  }
  return (
    <div className="space-y-5">
      <Card
        title="Invite someone"
        description={`Creates a single-use link that is valid for ${invitationDays} days.`}
      >
        <form onSubmit={submit} className="grid gap-4 md:grid-cols-[1fr_1fr_auto] md:items-end" noValidate>
          <TextField
            label="Email (optional)"
            help="When given, only this address can accept."
            type="email"
            {...bind('email')}
          />
          <SelectField label="Role" {...bind('role')} options={roleOptions} />
          <div className="md:pb-5">
            <Button type="submit" variant="primary" busy={create.isPending}>
              Create invitation
            </Button>
          </div>
        </form>
        <FormError error={create.error} fieldErrors={errors} className="mt-3" />
        {link ? (
          <div className="mt-4">
            <SecretOnce label="Invitation link" value={link} onDone={() => setLink(null)} />
          </div>
        ) : null}
      </Card>
      <TableCard
        title="Pending and past invitations"
        caption="Invitations"
        query={invitations}
        loadingLabel="Loading invitations"
        empty="No invitations yet."
        rowKey={(i) => i.id}
        columns={[
          { header: 'For', cell: (i) => i.email ?? 'Anyone with the link' },
          { header: 'Role', cell: (i) => i.role },
          {
            header: 'Status',
            cell: (i) =>
              i.acceptedAt ? (
                <Badge tone="ok">Accepted</Badge>
              ) : Date.parse(i.expiresAt) < Date.now() ? (
                <Badge>Expired</Badge>
              ) : (
                <Badge tone="warn">Pending</Badge>
              ),
          },
          { header: 'Expires', cell: (i) => formatRelative(i.expiresAt), wide: true },
          {
            header: <span className="sr-only">Actions</span>,
            cell: (i) =>
              i.acceptedAt ? null : (
                <Button
                  size="sm"
                  variant="danger"
                  onClick={() => revoke.mutate({ workspaceId: workspace.id, id: i.id })}
                >
                  Revoke
                </Button>
              ),
          },
        ]}
      />
    </div>
  );
}
