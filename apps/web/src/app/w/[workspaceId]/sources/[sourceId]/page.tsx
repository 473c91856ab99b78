'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useParams, useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { GatewayRejections } from '../../../../../components/delivery-dashboard';
import { LiveEvents } from '../../../../../components/live-events';
import { useWorkspace } from '../../../../../components/shell/workspace-context';
import { TypeBadge } from '../../../../../components/type-badge';
import { Button } from '../../../../../components/ui/button';
import { Badge, Card, PageHeader } from '../../../../../components/ui/card';
import { CodeBlock, CopyButton } from '../../../../../components/ui/code';
import { Dialog } from '../../../../../components/ui/dialog';
import { Toggle } from '../../../../../components/ui/field';
import { QueryState } from '../../../../../components/ui/states';
import { Table } from '../../../../../components/ui/table';
import { Tabs } from '../../../../../components/ui/tabs';
import { useToast } from '../../../../../components/ui/toast';
import { errorMessage } from '../../../../../lib/errors';
import { formatRelative } from '../../../../../lib/format';
import { refreshThenToast } from '../../../../../lib/mutation-feedback';
import { usePublicConfig } from '../../../../../lib/public-config';
import { rangeOf } from '../../../../../lib/ranges';
import { installSnippets } from '../../../../../lib/snippets';
import { SOURCE_TYPES } from '../../../../../lib/source-types';
import { type AppRouter, useTRPC } from '../../../../../lib/trpc';

type Source = inferRouterOutputs<AppRouter>['sources']['get'];
type WriteKey = Source['writeKeys'][number];

export default function SourcePage() {
  const { sourceId } = useParams<{ sourceId: string }>();
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const source = useQuery(trpc.sources.get.queryOptions({ workspaceId: workspace.id, id: sourceId }));
  const [tab, setTab] = useState('install');
  // Computed once per visit, so the rejections query keeps one key while the tab is open.
  const last24h = useMemo(() => rangeOf('24h'), []);

  return (
    <QueryState query={source} loadingLabel="Loading source">
      {(s) => (
        <>
          <PageHeader
            eyebrow="Source"
            title={
              <span className="flex items-center gap-3">
                <TypeBadge code={SOURCE_TYPES[s.type].badge} />
                {s.name}
              </span>
            }
            description={`${SOURCE_TYPES[s.type].title} source`}
            actions={s.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>}
          />
          <Tabs
            label="Source sections"
            value={tab}
            onChange={setTab}
            tabs={[
              { id: 'install', label: 'Install' },
              { id: 'keys', label: 'Write keys' },
              { id: 'live', label: 'Live events' },
              { id: 'rejected', label: 'Rejected' },
              { id: 'settings', label: 'Settings' },
            ]}
          >
            {tab === 'install' ? <Install source={s} /> : null}
            {tab === 'keys' ? <WriteKeys source={s} /> : null}
            {tab === 'live' ? <LiveEvents workspaceId={workspace.id} sourceId={s.id} /> : null}
            {tab === 'rejected' ? (
              <GatewayRejections
                workspaceId={workspace.id}
                sourceId={s.id}
                range={last24h}
                rangeLabel="in the last 24 hours"
              />
            ) : null}
            {tab === 'settings' ? <SourceSettings source={s} /> : null}
          </Tabs>
        </>
      )}
    </QueryState>
  );
}

function Install({ source }: { source: Source }) {
  const { dataPlaneUrl } = usePublicConfig();
  const key = source.writeKeys.find((k) => !k.revokedAt);
  if (!key) {
    return (
      <Card title="No active write key">
        <p className="text-sm text-ink-600">
          Every key of this source is revoked. Add one under Write keys to send events.
        </p>
      </Card>
    );
  }
  const snippets = installSnippets(key.key, dataPlaneUrl);
  return (
    <div className="space-y-5">
      <Card
        title="Write key"
        description="Identifies this source to the data plane. It is safe in a browser: it can only send events."
      >
        <div className="flex flex-wrap items-center gap-3">
          <code
            className="break-all rounded-md bg-ink-100 px-3 py-2 font-mono text-sm"
            data-testid="write-key"
          >
            {key.key}
          </code>
          <CopyButton text={key.key} label="Copy write key" size="md" />
        </div>
        <p className="mt-3 text-sm text-ink-600">
          Data plane URL: <code className="font-mono">{dataPlaneUrl}</code>
        </p>
      </Card>
      {snippets.map((s) => (
        <CodeBlock key={s.id} label={s.label} code={s.code} />
      ))}
    </div>
  );
}

function WriteKeys({ source }: { source: Source }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('editor');
  const [revoking, setRevoking] = useState<WriteKey | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.sources.get.queryKey() });
  const rotate = useMutation(
    trpc.sources.writeKeys.create.mutationOptions(
      refreshThenToast(toast, refresh, 'New key added. Both keys work until you revoke the old one.'),
    ),
  );
  const revoke = useMutation(
    trpc.sources.writeKeys.revoke.mutationOptions({
      onSuccess: async () => {
        setRevoking(null);
        await refresh();
        toast('Key revoked. Requests with it are now refused.');
      },
      onError: (e) => toast(errorMessage(e), 'bad'),
    }),
  );
  const active = source.writeKeys.filter((k) => !k.revokedAt);
  return (
    <Card
      title="Write keys"
      description="To rotate with no downtime: add a new key, deploy it, then revoke the old one once its last use is old."
      actions={
        <Button
          variant="primary"
          size="sm"
          busy={rotate.isPending}
          disabledReason={denied}
          onClick={() =>
            rotate.mutate({
              workspaceId: workspace.id,
              sourceId: source.id,
              name: `Rotated ${new Date().toISOString().slice(0, 10)}`,
            })
          }
        >
          Rotate: add a new key
        </Button>
      }
      padded={false}
    >
      <Table
        caption="Write keys"
        rows={source.writeKeys}
        rowKey={(k) => k.id}
        columns={[
          { header: 'Name', cell: (k) => <span className="font-medium">{k.name}</span> },
          {
            header: 'Key',
            cell: (k) => (
              <span className="flex items-center gap-2">
                <code className="font-mono text-xs">{`${k.key.slice(0, 8)}…${k.key.slice(-4)}`}</code>
                {!k.revokedAt ? <CopyButton text={k.key} ariaLabel={`Copy key ${k.name}`} /> : null}
              </span>
            ),
          },
          { header: 'Last used', cell: (k) => formatRelative(k.lastUsedAt), wide: true },
          { header: 'Created', cell: (k) => formatRelative(k.createdAt), wide: true },
          {
            header: 'Status',
            cell: (k) => (k.revokedAt ? <Badge tone="bad">Revoked</Badge> : <Badge tone="ok">Active</Badge>),
          },
          {
            header: <span className="sr-only">Actions</span>,
            cell: (k) =>
              k.revokedAt ? null : (
                <Button
                  size="sm"
                  variant="danger"
                  aria-label={`Revoke ${k.name}`}
                  disabled={Boolean(denied)}
                  title={denied ?? (active.length === 1 ? 'This is the only active key' : undefined)}
                  onClick={() => setRevoking(k)}
                >
                  Revoke
                </Button>
              ),
          },
        ]}
      />
      <Dialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        description={
          active.length === 1
            ? 'This is the only active key: the source will accept no events until you add another.'
            : `Requests with this key will be refused at once. It was last used ${formatRelative(revoking?.lastUsedAt ?? null)}.`
        }
        footer={
          <>
            <Button onClick={() => setRevoking(null)}>Cancel</Button>
            <Button
              variant="danger"
              busy={revoke.isPending}
              onClick={() => revoking && revoke.mutate({ workspaceId: workspace.id, id: revoking.id })}
            >
              Revoke key
            </Button>
          </>
        }
      />
    </Card>
  );
}

function SourceSettings({ source }: { source: Source }) {
  const trpc = useTRPC();
  const toast = useToast();
  const router = useRouter();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('editor');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const update = useMutation(
    trpc.sources.update.mutationOptions({
      onSuccess: async (s) => {
        await queryClient.invalidateQueries({ queryKey: trpc.sources.get.queryKey() });
        toast(s.enabled ? 'Source enabled.' : 'Source disabled: its events are refused.');
      },
      onError: (e) => toast(errorMessage(e), 'bad'),
    }),
  );
  const remove = useMutation(
    trpc.sources.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.sources.list.queryKey() });
        router.push(`/w/${workspace.id}/sources`);
      },
    }),
  );
  return (
    <div className="space-y-5">
      <Card title="Accept events">
        <Toggle
          label="Enabled"
          help="A disabled source's events are refused by the gateway."
          checked={source.enabled}
          disabled={Boolean(denied) || update.isPending}
          onChange={(enabled) =>
            update.mutate({ workspaceId: workspace.id, id: source.id, version: source.version, enabled })
          }
        />
        {denied ? <p className="mt-2 text-xs text-ink-500">{denied}</p> : null}
      </Card>
      <Card title="Delete source" description="Deletes the source, its write keys and its connections.">
        <Button variant="danger" disabledReason={denied} onClick={() => setConfirmDelete(true)}>
          Delete source
        </Button>
      </Card>
      <Dialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete “${source.name}”?`}
        description="Its write keys stop working at once and its connections are removed. This cannot be undone."
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
            <Button
              variant="danger"
              busy={remove.isPending}
              onClick={() => remove.mutate({ workspaceId: workspace.id, id: source.id, cascade: true })}
            >
              Delete source
            </Button>
          </>
        }
      >
        {remove.error ? (
          <p role="alert" className="text-sm text-bad-700">
            {errorMessage(remove.error)}
          </p>
        ) : null}
      </Dialog>
    </div>
  );
}
