'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { type AppRouter, useTRPC } from '../lib/trpc';
import { Button } from './ui/button';
import { Badge } from './ui/card';
import { Json } from './ui/code';
import { EmptyState, ErrorState } from './ui/states';

type LiveEvent = inferRouterOutputs<AppRouter>['live']['events']['events'][number];

const CAPS = [50, 200, 500];
const POLL_MS = 1500;
// The data plane samples only while a watch is open; a watch lasts about a minute.
const WATCH_RENEW_MS = 30_000;

const stageTone = { received: 'brand', delivered: 'ok', failed: 'bad', dropped: 'warn' } as const;

function eventTitle(payload: unknown): string {
  const p = (payload ?? {}) as { type?: unknown; event?: unknown; name?: unknown };
  const type = typeof p.type === 'string' ? p.type : 'event';
  const name = typeof p.event === 'string' ? p.event : typeof p.name === 'string' ? p.name : '';
  return name ? `${type} · ${name}` : type;
}

/** Events as they arrive for one source or destination, while someone is looking. */
export function LiveEvents({
  workspaceId,
  sourceId,
  destinationId,
  names,
}: {
  workspaceId: string;
  sourceId?: string;
  destinationId?: string;
  names?: (id: string | null) => string | undefined;
}) {
  const trpc = useTRPC();
  const [paused, setPaused] = useState(false);
  const [cap, setCap] = useState(200);
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const cursor = useRef<string | undefined>(undefined);
  const capId = useId();
  const target = { workspaceId, sourceId, destinationId };

  const watch = useMutation(trpc.live.watch.mutationOptions());
  const { mutate: renew } = watch;
  useEffect(() => {
    if (paused) return;
    renew({ workspaceId, sourceId, destinationId });
    const timer = setInterval(() => renew({ workspaceId, sourceId, destinationId }), WATCH_RENEW_MS);
    return () => clearInterval(timer);
  }, [paused, renew, workspaceId, sourceId, destinationId]);

  const poll = useQuery({
    ...trpc.live.events.queryOptions({ ...target, after: cursor.current, limit: 200 }),
    enabled: !paused,
    refetchInterval: POLL_MS,
    staleTime: 0,
    gcTime: 0,
  });
  useEffect(() => {
    const data = poll.data;
    if (!data || data.events.length === 0) return;
    const seen = cursor.current;
    const fresh = seen ? data.events.filter((e) => BigInt(e.id) > BigInt(seen)) : data.events;
    if (data.cursor) cursor.current = data.cursor;
    if (fresh.length) setEvents((all) => [...[...fresh].reverse(), ...all].slice(0, cap));
  }, [poll.data, cap]);

  const error = watch.error ?? poll.error;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="flex items-center gap-2 text-sm text-ink-600" aria-live="polite">
          <span
            aria-hidden
            className={`inline-block h-2 w-2 rounded-full ${paused ? 'bg-ink-400' : 'animate-pulse bg-ok-600'}`}
          />
          {paused ? 'Paused. New events are not collected.' : 'Listening for events…'} {events.length} held
          (at most {cap}).
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={capId} className="text-sm text-ink-700">
            Keep at most
          </label>
          <select
            id={capId}
            value={cap}
            onChange={(e) => {
              const next = Number(e.target.value);
              setCap(next);
              setEvents((all) => all.slice(0, next));
            }}
            className="h-8 rounded-md border border-ink-300 bg-white px-2 text-sm"
          >
            {CAPS.map((c) => (
              <option key={c} value={c}>
                {c} events
              </option>
            ))}
          </select>
          <Button size="sm" onClick={() => setPaused((p) => !p)}>
            {paused ? 'Resume' : 'Pause'}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setEvents([])} disabled={events.length === 0}>
            Clear
          </Button>
        </div>
      </div>
      {error ? <ErrorState error={error} title="Live events are unavailable" /> : null}
      {events.length === 0 && !error ? (
        <EmptyState
          title={paused ? 'Paused' : 'Waiting for events'}
          description={
            paused
              ? 'Resume to see events as they arrive.'
              : 'Send an event with one of the snippets; it appears here within a few seconds of reaching the data plane.'
          }
        />
      ) : null}
      {events.length > 0 ? (
        <ul className="divide-y divide-ink-100 rounded-lg border border-ink-200 bg-white">
          {events.map((e) => {
            const expanded = open === e.id;
            return (
              <li key={e.id}>
                <button
                  type="button"
                  aria-expanded={expanded}
                  onClick={() => setOpen(expanded ? null : e.id)}
                  className="flex w-full flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2.5 text-left hover:bg-ink-50"
                >
                  <Badge tone={stageTone[e.stage]}>{e.stage}</Badge>
                  <span className="font-mono text-[13px] text-ink-900">{eventTitle(e.payload)}</span>
                  {names && e.destinationId ? (
                    <span className="text-xs text-ink-500">
                      → {names(e.destinationId) ?? e.destinationId}
                    </span>
                  ) : null}
                  {e.reason ? <span className="text-xs text-bad-700">{e.reason}</span> : null}
                  <span className="ml-auto text-xs tabular-nums text-ink-500">{formatDateTime(e.at)}</span>
                </button>
                {expanded ? (
                  <div className="grid gap-3 border-t border-ink-100 bg-ink-50 p-4 lg:grid-cols-3">
                    <Json label="Payload" value={e.payload} />
                    <Json label="Sent to destination" value={e.request ?? undefined} />
                    <Json label="Response" value={e.response ?? undefined} />
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      {watch.isError ? <p className="text-xs text-bad-700">{errorMessage(watch.error)}</p> : null}
    </div>
  );
}
