'use client';

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useWorkspace } from '../../../../components/shell/workspace-context';
import { Button } from '../../../../components/ui/button';
import { Badge, Card, PageHeader } from '../../../../components/ui/card';
import { Json } from '../../../../components/ui/code';
import { Dialog } from '../../../../components/ui/dialog';
import { SelectField, TextField, Toggle } from '../../../../components/ui/field';
import { EmptyState, ErrorState, Loading, QueryState } from '../../../../components/ui/states';
import { Table } from '../../../../components/ui/table';
import { useToast } from '../../../../components/ui/toast';
import { errorMessage } from '../../../../lib/errors';
import { formatDateTime, formatNumber, formatRelative } from '../../../../lib/format';
import { RANGES, type RangeId, rangeOf } from '../../../../lib/ranges';
import { useTRPC } from '../../../../lib/trpc';

type Confirm = { kind: 'selected' } | { kind: 'matching' } | null;

/** Failed events per page of the table; older ones load on request. */
const PAGE_SIZE = 50;

export default function FailedEventsPage() {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const ws = { workspaceId: workspace.id };
  const destinations = useQuery(trpc.destinations.list.queryOptions(ws));
  const [destinationId, setDestinationId] = useState('');
  const [rangeId, setRangeId] = useState<RangeId | ''>('');
  const [errorCode, setErrorCode] = useState('');
  const [includeReplayed, setIncludeReplayed] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [inspecting, setInspecting] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);

  const filter = useMemo(() => {
    const range = rangeId ? rangeOf(rangeId) : null;
    return {
      ...(destinationId ? { destinationId } : {}),
      ...(range ? { from: range.from, to: range.to } : {}),
      ...(errorCode.trim() ? { errorCode: errorCode.trim() } : {}),
    };
  }, [destinationId, rangeId, errorCode]);
  const list = useInfiniteQuery(
    trpc.failedEvents.list.infiniteQueryOptions(
      { ...ws, ...filter, includeReplayed, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const matching = useQuery({
    ...trpc.failedEvents.countMatching.queryOptions({ ...ws, filter }),
    enabled: confirm?.kind === 'matching',
  });
  const replays = useQuery({ ...trpc.failedEvents.replays.queryOptions(ws), refetchInterval: 10_000 });
  const replay = useMutation(
    trpc.failedEvents.replay.mutationOptions({
      onSuccess: async (r) => {
        setConfirm(null);
        setSelected(new Set());
        await queryClient.invalidateQueries({ queryKey: trpc.failedEvents.pathKey() });
        toast(
          `Replay requested for ${formatNumber(r.matching)} events. A data plane picks it up within seconds.`,
        );
      },
    }),
  );
  const nameOf = (id: string) => destinations.data?.find((d) => d.id === id)?.name ?? id;
  const denied = workspace.denied('editor');
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const confirmCount = confirm?.kind === 'selected' ? selected.size : matching.data?.count;

  return (
    <>
      <PageHeader
        title="Failed events"
        description="Events a destination refused for good, with the request and response. Fix the cause, then replay them."
      />
      <Card className="mb-5">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <SelectField
            label="Destination"
            value={destinationId}
            onChange={(e) => setDestinationId(e.target.value)}
            options={[
              { value: '', label: 'All destinations' },
              ...(destinations.data ?? []).map((d) => ({ value: d.id, label: d.name })),
            ]}
          />
          <SelectField
            label="Failed in"
            value={rangeId}
            onChange={(e) => setRangeId(e.target.value as RangeId | '')}
            options={[
              { value: '', label: 'Any time' },
              ...RANGES.map((r) => ({ value: r.id, label: r.label })),
            ]}
          />
          <TextField
            label="Error code"
            placeholder="e.g. 400 or ECONNREFUSED"
            value={errorCode}
            onChange={(e) => setErrorCode(e.target.value)}
          />
          <div className="pt-6">
            <Toggle label="Include replayed" checked={includeReplayed} onChange={setIncludeReplayed} />
          </div>
        </div>
      </Card>
      <div className="mb-3 flex flex-wrap items-start gap-2">
        <Button
          variant="primary"
          disabledReason={denied ?? (selected.size === 0 ? 'Select events in the table first.' : null)}
          onClick={() => setConfirm({ kind: 'selected' })}
        >
          Replay selected ({selected.size})
        </Button>
        <Button
          disabledReason={
            denied ?? (list.data?.pages[0]?.events.length === 0 ? 'Nothing matches the filter.' : null)
          }
          onClick={() => setConfirm({ kind: 'matching' })}
        >
          Replay all matching
        </Button>
      </div>
      <QueryState query={list} loadingLabel="Loading failed events">
        {(data) => {
          const events = data.pages.flatMap((p) => p.events);
          return events.length === 0 ? (
            <EmptyState
              title="No failed events"
              description="Nothing matches this filter. Events that a destination refuses for good appear here."
            />
          ) : (
            <Card padded={false}>
              <Table
                caption="Failed events"
                rows={events}
                rowKey={(e) => e.id}
                columns={[
                  {
                    header: (
                      <input
                        type="checkbox"
                        aria-label="Select every event shown"
                        checked={events.every((e) => selected.has(e.id))}
                        onChange={(ev) =>
                          setSelected(ev.target.checked ? new Set(events.map((e) => e.id)) : new Set())
                        }
                      />
                    ),
                    cell: (e) => (
                      <input
                        type="checkbox"
                        aria-label={`Select ${e.messageId}`}
                        checked={selected.has(e.id)}
                        onChange={() => toggle(e.id)}
                      />
                    ),
                  },
                  { header: 'Failed', cell: (e) => formatRelative(e.failedAt) },
                  {
                    header: 'Event',
                    cell: (e) =>
                      e.eventLabel ? (
                        <code
                          className="block max-w-[9rem] truncate font-mono text-[13px] md:max-w-[18rem]"
                          title={e.eventLabel}
                        >
                          {e.eventLabel}
                        </code>
                      ) : (
                        '—'
                      ),
                  },
                  {
                    header: 'User',
                    cell: (e) =>
                      e.userKey ? (
                        <span className="block max-w-[10rem] truncate" title={e.userKey}>
                          {e.userKey}
                        </span>
                      ) : (
                        '—'
                      ),
                    wide: true,
                  },
                  { header: 'Destination', cell: (e) => nameOf(e.destinationId), wide: true },
                  {
                    header: 'Error',
                    cell: (e) => <code className="font-mono text-[13px]">{e.errorCode}</code>,
                  },
                  { header: 'Attempts', cell: (e) => e.attempts, wide: true },
                  {
                    header: 'Status',
                    cell: (e) =>
                      e.replayedAt ? <Badge tone="brand">Replayed</Badge> : <Badge tone="bad">Failed</Badge>,
                  },
                  {
                    header: <span className="sr-only">Inspect</span>,
                    cell: (e) => (
                      <Button
                        size="sm"
                        onClick={() => setInspecting(e.id)}
                        aria-label={`Inspect ${e.messageId}`}
                      >
                        Inspect
                      </Button>
                    ),
                  },
                ]}
              />
              {list.hasNextPage ? (
                <div className="flex flex-wrap items-center gap-3 border-t border-ink-100 p-4">
                  <Button busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                    Load older failed events
                  </Button>
                  <span className="text-xs text-ink-500">
                    Showing the newest {formatNumber(events.length)}. Replay all matching includes the rest.
                  </span>
                </div>
              ) : null}
            </Card>
          );
        }}
      </QueryState>

      <Card title="Recent replays" className="mt-5" padded={false}>
        {replays.error ? (
          <div className="p-5">
            <ErrorState error={replays.error} />
          </div>
        ) : replays.isPending ? (
          <div className="p-5">
            <Loading rows={2} />
          </div>
        ) : replays.data?.length === 0 ? (
          <p className="p-5 text-sm text-ink-600">No replays yet.</p>
        ) : (
          <Table
            caption="Recent replays"
            rows={replays.data ?? []}
            rowKey={(r) => r.id}
            columns={[
              { header: 'Requested', cell: (r) => formatRelative(r.createdAt) },
              {
                header: 'What',
                cell: (r) =>
                  r.failedEventIds.length
                    ? `${r.failedEventIds.length} selected`
                    : [r.destinationId ? nameOf(r.destinationId) : 'All destinations', r.errorCode]
                        .filter(Boolean)
                        .join(' · '),
              },
              {
                header: 'Status',
                cell: (r) => <Badge tone={r.status === 'done' ? 'ok' : 'warn'}>{r.status}</Badge>,
              },
              {
                header: 'Replayed',
                cell: (r) => (r.replayedCount === null ? '—' : formatNumber(r.replayedCount)),
              },
            ]}
          />
        )}
      </Card>

      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title="Replay failed events?"
        description={
          confirmCount === undefined
            ? 'Counting the events that match…'
            : `${formatNumber(confirmCount)} ${confirmCount === 1 ? 'event' : 'events'} will be delivered again. Make sure the destination is fixed first.`
        }
        footer={
          <>
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button
              variant="primary"
              busy={replay.isPending}
              disabled={!confirmCount}
              onClick={() =>
                replay.mutate(
                  confirm?.kind === 'selected' ? { ...ws, ids: [...selected] } : { ...ws, filter },
                )
              }
            >
              Replay {confirmCount === undefined ? '' : formatNumber(confirmCount)} events
            </Button>
          </>
        }
      >
        {matching.error ? <ErrorState error={matching.error} /> : null}
        {replay.error ? (
          <p role="alert" className="text-sm text-bad-700">
            {errorMessage(replay.error)}
          </p>
        ) : null}
      </Dialog>
      <Dialog
        open={inspecting !== null}
        onClose={() => setInspecting(null)}
        title="Failed event"
        footer={<Button onClick={() => setInspecting(null)}>Close</Button>}
      >
        {inspecting ? <Inspect id={inspecting} /> : null}
      </Dialog>
    </>
  );
}

function Inspect({ id }: { id: string }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const event = useQuery(trpc.failedEvents.get.queryOptions({ workspaceId: workspace.id, id }));
  return (
    <QueryState query={event} loadingLabel="Loading the event">
      {(e) => (
        <div className="max-h-[60vh] space-y-3 overflow-y-auto">
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-ink-500">Event</dt>
            <dd className={e.eventLabel ? 'font-mono text-xs break-all' : undefined}>
              {e.eventLabel ?? '—'}
            </dd>
            <dt className="text-ink-500">User</dt>
            <dd className="break-all">{e.userKey ?? '—'}</dd>
            <dt className="text-ink-500">Message</dt>
            <dd className="font-mono text-xs break-all">{e.messageId}</dd>
            <dt className="text-ink-500">Error</dt>
            <dd>{e.errorCode}</dd>
            <dt className="text-ink-500">Attempts</dt>
            <dd>{e.attempts}</dd>
            <dt className="text-ink-500">Failed at</dt>
            <dd>{formatDateTime(e.failedAt)}</dd>
          </dl>
          <Json label="Payload for the destination" value={e.payload} />
          <Json label="Request" value={e.request} />
          <Json label="Response" value={e.response} />
        </div>
      )}
    </QueryState>
  );
}
