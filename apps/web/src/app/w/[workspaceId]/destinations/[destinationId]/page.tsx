'use client';

import { findDestinationType } from '@keel/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import Link from 'next/link';
import { useParams, useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { DeliveryDashboard } from '../../../../../components/delivery-dashboard';
import { LiveEvents } from '../../../../../components/live-events';
import { useWorkspace } from '../../../../../components/shell/workspace-context';
import { TypeBadge } from '../../../../../components/type-badge';
import { Button } from '../../../../../components/ui/button';
import { Badge, Card, PageHeader } from '../../../../../components/ui/card';
import { SelectField, Toggle } from '../../../../../components/ui/field';
import { EmptyState, QueryState } from '../../../../../components/ui/states';
import { Table } from '../../../../../components/ui/table';
import { Tabs } from '../../../../../components/ui/tabs';
import { useToast } from '../../../../../components/ui/toast';
import { ConfigForm } from '../../../../../forms/config-form';
import { destinationBadge } from '../../../../../lib/destination-badges';
import { errorMessage, fieldErrorsUnder } from '../../../../../lib/errors';
import { type AppRouter, useTRPC } from '../../../../../lib/trpc';

type Destination = inferRouterOutputs<AppRouter>['destinations']['get'];

export default function DestinationPageRoute() {
  return (
    <Suspense>
      <DestinationPage />
    </Suspense>
  );
}

function DestinationPage() {
  const { destinationId } = useParams<{ destinationId: string }>();
  const created = useSearchParams().get('created') === '1';
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const destination = useQuery(
    trpc.destinations.get.queryOptions({ workspaceId: workspace.id, id: destinationId }),
  );
  const [tab, setTab] = useState(created ? 'connections' : 'settings');
  return (
    <QueryState query={destination} loadingLabel="Loading destination">
      {(d) => (
        <>
          <PageHeader
            eyebrow="Destination"
            title={
              <span className="flex items-center gap-3">
                <TypeBadge code={destinationBadge(d.type)} tone="ink" />
                {d.name}
              </span>
            }
            description={findDestinationType(d.type)?.title ?? d.type}
            actions={d.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>}
          />
          {created ? (
            <p
              role="status"
              className="mb-4 rounded-md border border-ok-600/30 bg-ok-50 px-4 py-2 text-sm text-ok-700"
            >
              Destination saved. Connect a source to start delivering events.
            </p>
          ) : null}
          <Tabs
            label="Destination sections"
            value={tab}
            onChange={setTab}
            tabs={[
              { id: 'settings', label: 'Settings' },
              { id: 'connections', label: 'Connected sources' },
              { id: 'delivery', label: 'Delivery' },
              { id: 'live', label: 'Live events' },
            ]}
          >
            {tab === 'settings' ? <Settings destination={d} /> : null}
            {tab === 'connections' ? <ConnectedSources destination={d} /> : null}
            {tab === 'delivery' ? (
              <DeliveryDashboard workspaceId={workspace.id} destinationId={d.id} />
            ) : null}
            {tab === 'live' ? <LiveEvents workspaceId={workspace.id} destinationId={d.id} /> : null}
          </Tabs>
        </>
      )}
    </QueryState>
  );
}

function Settings({ destination }: { destination: Destination }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('editor');
  const type = findDestinationType(destination.type);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.destinations.get.queryKey() });
  const update = useMutation(
    trpc.destinations.update.mutationOptions({
      onSuccess: async () => {
        await refresh();
        toast('Settings saved. Data planes pick them up within seconds.');
      },
    }),
  );
  const toggle = useMutation(
    trpc.destinations.update.mutationOptions({
      onSuccess: async (d) => {
        await refresh();
        toast(d.enabled ? 'Destination enabled.' : 'Destination disabled: nothing is delivered to it.');
      },
      onError: (e) => toast(errorMessage(e), 'bad'),
    }),
  );
  const test = useMutation(trpc.destinations.testConnection.mutationOptions());
  if (!type) {
    return (
      <EmptyState
        title="Unknown destination type"
        description={`This version of Keel has no “${destination.type}” type.`}
      />
    );
  }
  return (
    <div className="grid gap-5 lg:grid-cols-[1fr_18rem]">
      <Card title="Settings">
        <ConfigForm
          key={destination.version}
          schema={type.configSchema}
          stored={destination.config}
          keptSecret={{ kind: 'omit' }}
          submitLabel="Save changes"
          busy={update.isPending}
          disabledReason={denied}
          serverErrors={fieldErrorsUnder(update.error, 'config.')}
          onSubmit={(config) =>
            update.mutate({
              workspaceId: workspace.id,
              id: destination.id,
              version: destination.version,
              config,
            })
          }
          before={
            update.error && Object.keys(fieldErrorsUnder(update.error, 'config.')).length === 0 ? (
              <p role="alert" className="text-sm font-medium text-bad-700">
                {errorMessage(update.error)}
              </p>
            ) : null
          }
        />
      </Card>
      <div className="space-y-5">
        <Card title="Delivery">
          <Toggle
            label="Enabled"
            help="While disabled, no events are delivered to this destination."
            checked={destination.enabled}
            disabled={Boolean(denied) || toggle.isPending}
            onChange={(enabled) =>
              toggle.mutate({
                workspaceId: workspace.id,
                id: destination.id,
                version: destination.version,
                enabled,
              })
            }
          />
          {denied ? <p className="mt-2 text-xs text-ink-500">{denied}</p> : null}
        </Card>
        {type.supportsTestConnection ? (
          <Card title="Test connection" description="Sends one test event with the saved settings.">
            <Button
              busy={test.isPending}
              disabledReason={denied}
              onClick={() => test.mutate({ workspaceId: workspace.id, id: destination.id })}
            >
              Test connection
            </Button>
            <div aria-live="polite" className="mt-3 text-sm">
              {test.data ? (
                <p className={test.data.ok ? 'text-ok-700' : 'text-bad-700'}>
                  {test.data.message}
                  {test.data.durationMs ? (
                    <span className="text-ink-500"> ({test.data.durationMs} ms)</span>
                  ) : null}
                </p>
              ) : null}
              {test.error ? <p className="text-bad-700">{errorMessage(test.error)}</p> : null}
            </div>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

function ConnectedSources({ destination }: { destination: Destination }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const denied = workspace.denied('editor');
  const connections = useQuery(
    trpc.connections.list.queryOptions({ workspaceId: workspace.id, destinationId: destination.id }),
  );
  const sources = useQuery(trpc.sources.list.queryOptions({ workspaceId: workspace.id }));
  const [choice, setChoice] = useState('');
  const connect = useMutation(
    trpc.connections.create.mutationOptions({
      onSuccess: async () => {
        setChoice('');
        await queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() });
        toast('Connected. Events from this source now flow here.');
      },
      onError: (e) => toast(errorMessage(e), 'bad'),
    }),
  );
  return (
    <QueryState query={connections} loadingLabel="Loading connections">
      {(list) => {
        const sourceName = (id: string) => sources.data?.find((s) => s.id === id)?.name ?? id;
        const unconnected = (sources.data ?? []).filter((s) => !list.some((c) => c.sourceId === s.id));
        return (
          <div className="space-y-5">
            <Card title="Connect a source">
              {unconnected.length === 0 ? (
                <p className="text-sm text-ink-600">
                  {sources.data?.length ? 'Every source is already connected.' : 'There are no sources yet. '}
                  {sources.data?.length ? null : (
                    <Link className="text-brand-700 underline" href={`/w/${workspace.id}/sources/new`}>
                      Add a source
                    </Link>
                  )}
                </p>
              ) : (
                <form
                  className="flex flex-wrap items-end gap-3"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const sourceId = choice || unconnected[0]?.id;
                    if (sourceId)
                      connect.mutate({ workspaceId: workspace.id, sourceId, destinationId: destination.id });
                  }}
                >
                  <div className="min-w-56">
                    <SelectField
                      label="Source"
                      value={choice || unconnected[0]?.id || ''}
                      onChange={(e) => setChoice(e.target.value)}
                      options={unconnected.map((s) => ({ value: s.id, label: s.name }))}
                    />
                  </div>
                  <Button type="submit" variant="primary" busy={connect.isPending} disabledReason={denied}>
                    Connect
                  </Button>
                </form>
              )}
            </Card>
            {list.length === 0 ? (
              <EmptyState
                title="No connected sources"
                description="This destination receives nothing until a source is connected."
              />
            ) : (
              <Card padded={false} title="Connected sources">
                <Table
                  caption="Connected sources"
                  rows={list}
                  rowKey={(c) => c.id}
                  columns={[
                    {
                      header: 'Source',
                      cell: (c) => (
                        <Link
                          className="font-medium hover:underline"
                          href={`/w/${workspace.id}/sources/${c.sourceId}`}
                        >
                          {sourceName(c.sourceId)}
                        </Link>
                      ),
                    },
                    {
                      header: 'Status',
                      cell: (c) => (c.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Paused</Badge>),
                    },
                    {
                      header: 'Filter',
                      cell: (c) =>
                        c.filterMode === 'none'
                          ? 'All events'
                          : `${c.filterMode === 'allow' ? 'Only' : 'All but'} ${c.filterEvents.length}`,
                    },
                    {
                      header: <span className="sr-only">Options</span>,
                      cell: (c) => (
                        <Link
                          className="text-sm text-brand-700 hover:underline"
                          href={`/w/${workspace.id}/connections?c=${c.id}`}
                        >
                          Options
                        </Link>
                      ),
                    },
                  ]}
                />
              </Card>
            )}
          </div>
        );
      }}
    </QueryState>
  );
}
