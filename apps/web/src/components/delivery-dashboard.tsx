'use client';

import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useId, useMemo, useState } from 'react';
import { formatCompact, formatDateTime, formatMs, formatNumber } from '../lib/format';
import { RANGES, type RangeId, rangeOf, tickFormatter } from '../lib/ranges';
import { type AppRouter, useTRPC } from '../lib/trpc';
import { StackedBarChart } from './charts/bar-chart';
import { LineChart } from './charts/line-chart';
import { Button } from './ui/button';
import { Card } from './ui/card';
import { Json } from './ui/code';
import { Dialog } from './ui/dialog';
import { EmptyState, ErrorState, Loading, QueryState } from './ui/states';
import { type Column, Table } from './ui/table';

type ErrorGroup = inferRouterOutputs<AppRouter>['reports']['errors'][number];
type RejectionGroup = inferRouterOutputs<AppRouter>['reports']['rejections'][number];

/** The count, last-seen and sample columns that error and rejection groups share. */
function groupColumns<G extends { count: number; lastSeen: string | Date; samples: unknown[] }>(
  showSample: (group: G) => void,
  describe: (group: G) => string,
): Array<Column<G>> {
  return [
    { header: 'Events', cell: (g) => <span className="tabular-nums">{formatNumber(g.count)}</span> },
    { header: 'Last seen', cell: (g) => formatDateTime(g.lastSeen), wide: true },
    {
      header: <span className="sr-only">Sample</span>,
      cell: (g) =>
        g.samples.length ? (
          <Button size="sm" onClick={() => showSample(g)} aria-label={`Show a sample of ${describe(g)}`}>
            Sample
          </Button>
        ) : (
          <span className="text-xs text-ink-500">no sample</span>
        ),
    },
  ];
}

const STATUS_SERIES = [
  { key: 'delivered', label: 'Delivered', color: '#16a06a' },
  { key: 'retrying', label: 'Retrying', color: '#e0a526' },
  { key: 'aborted', label: 'Failed (aborted)', color: '#d8453f' },
  { key: 'dropped', label: 'Dropped', color: '#8d96a7' },
];
const REJECTED_SERIES = { key: 'rejected', label: 'Rejected at gateway', color: '#7c3aed' };
const REASON_COLORS = ['#5f6b7f', '#3b6cf6', '#a855f7', '#0ea5e9', '#f97316', '#14b8a6'];

/**
 * Delivery status, drops by reason and latency over a chosen range, with the errors behind them,
 * and the events the gateway rejected per source (not with a destination chosen: those never
 * reached one).
 */
export function DeliveryDashboard({
  workspaceId,
  destinationId,
  destinationName,
  sourceName,
}: {
  workspaceId: string;
  destinationId?: string;
  destinationName?: (id: string) => string;
  sourceName?: (id: string) => string;
}) {
  const trpc = useTRPC();
  const [rangeId, setRangeId] = useState<RangeId>('24h');
  const rangeSelectId = useId();
  const range = useMemo(() => rangeOf(rangeId), [rangeId]);
  const input = { workspaceId, ...range, ...(destinationId ? { destinationId } : {}) };
  const series = useQuery({ ...trpc.reports.timeseries.queryOptions(input), refetchInterval: 30_000 });
  const errors = useQuery({ ...trpc.reports.errors.queryOptions(input), refetchInterval: 30_000 });
  const [sample, setSample] = useState<ErrorGroup | null>(null);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <label
            htmlFor={rangeSelectId}
            className="mb-1 block text-xs font-medium uppercase tracking-wide text-ink-500"
          >
            Time range
          </label>
          <select
            id={rangeSelectId}
            value={rangeId}
            onChange={(e) => setRangeId(e.target.value as RangeId)}
            className="h-9 rounded-md border border-ink-300 bg-white px-2 text-sm"
          >
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <p className="text-xs text-ink-500">
          {formatDateTime(range.from)} – {formatDateTime(range.to)}
        </p>
      </div>

      {series.error ? <ErrorState error={series.error} onRetry={() => void series.refetch()} /> : null}
      {series.isPending ? <Loading label="Loading delivery figures" rows={4} /> : null}
      {series.data ? <DeliveryFigures data={series.data} showRejected={!destinationId} /> : null}
      {destinationId ? null : (
        <GatewayRejections workspaceId={workspaceId} range={range} sourceName={sourceName} />
      )}

      <Card
        title="Errors"
        description="Failures and drops grouped by error code, most frequent first."
        padded={false}
      >
        <QueryState query={errors} loadingLabel="Loading errors" stateClassName="p-5">
          {(groups) =>
            groups.length === 0 ? (
              <div className="p-5">
                <EmptyState
                  title="No errors in this range"
                  description="Every event in this range was delivered or is still on its way."
                />
              </div>
            ) : (
              <Table
                caption="Errors grouped by code"
                rows={groups}
                rowKey={(g) => `${g.destinationId}:${g.status}:${g.errorCode}`}
                columns={[
                  {
                    header: 'Error code',
                    cell: (g) => <code className="font-mono text-[13px]">{g.errorCode || '—'}</code>,
                  },
                  { header: 'Status', cell: (g) => g.status },
                  ...(destinationId
                    ? []
                    : [
                        {
                          header: 'Destination',
                          cell: (g: ErrorGroup) => destinationName?.(g.destinationId) ?? g.destinationId,
                        },
                      ]),
                  ...groupColumns<ErrorGroup>(setSample, (g) => g.errorCode || 'this error'),
                ]}
              />
            )
          }
        </QueryState>
      </Card>
      <Dialog
        open={sample !== null}
        onClose={() => setSample(null)}
        title={`Sample of ${sample?.errorCode || 'this error'}`}
        description="The request Keel sent and the response it received."
        footer={<Button onClick={() => setSample(null)}>Close</Button>}
      >
        {sample ? <SampleView sample={sample.samples[0]} /> : null}
      </Dialog>
    </div>
  );
}

function SampleView({
  sample,
  labels = ['Request', 'Response'],
}: {
  sample: unknown;
  labels?: [string, string];
}) {
  const s = (sample ?? {}) as { messageId?: unknown; request?: unknown; response?: unknown };
  return (
    <div className="max-h-[60vh] space-y-3 overflow-y-auto">
      {typeof s.messageId === 'string' && s.messageId !== '' ? (
        <p className="text-xs text-ink-600">
          Message <code className="font-mono">{s.messageId}</code>
        </p>
      ) : null}
      <Json label={labels[0]} value={s.request} />
      <Json label={labels[1]} value={s.response} />
    </div>
  );
}

/**
 * The events the gateway refused and never stored, per source and reason code (the client was
 * told each reason in its response). For the delivery page, or one source's page.
 */
export function GatewayRejections({
  workspaceId,
  range,
  sourceId,
  sourceName,
  rangeLabel = 'in this range',
}: {
  workspaceId: string;
  range: { from: string; to: string };
  sourceId?: string;
  sourceName?: (id: string) => string;
  /** How the range reads in a sentence. */
  rangeLabel?: string;
}) {
  const trpc = useTRPC();
  const input = { workspaceId, ...range, ...(sourceId ? { sourceId } : {}) };
  const groups = useQuery({ ...trpc.reports.rejections.queryOptions(input), refetchInterval: 30_000 });
  const [sample, setSample] = useState<RejectionGroup | null>(null);
  return (
    <Card
      title="Rejected at gateway"
      description="Events the gateway refused and never stored: invalid, too large or over the source’s rate limit. Each sender was told the reason."
      padded={false}
    >
      <QueryState query={groups} loadingLabel="Loading rejections" stateClassName="p-5">
        {(rows) =>
          rows.length === 0 ? (
            <p className="p-5 text-sm text-ink-600">The gateway rejected no events {rangeLabel}.</p>
          ) : (
            <Table
              caption="Events rejected at the gateway, by source and reason"
              rows={rows}
              rowKey={(g) => `${g.sourceId}:${g.errorCode}`}
              columns={[
                ...(sourceId
                  ? []
                  : [
                      {
                        header: 'Source',
                        cell: (g: RejectionGroup) => (
                          <span className="font-medium">{sourceName?.(g.sourceId) ?? g.sourceId}</span>
                        ),
                      },
                    ]),
                {
                  header: 'Reason',
                  cell: (g) => <code className="whitespace-nowrap font-mono text-[13px]">{g.errorCode}</code>,
                },
                ...groupColumns<RejectionGroup>(
                  setSample,
                  (g) => `${g.errorCode} from ${sourceName?.(g.sourceId) ?? g.sourceId}`,
                ),
              ]}
            />
          )
        }
      </QueryState>
      <Dialog
        open={sample !== null}
        onClose={() => setSample(null)}
        title={`Sample of ${sample?.errorCode ?? 'this rejection'}`}
        description="Which event of the request it was, and what the gateway answered. Rejected events are not stored."
        footer={<Button onClick={() => setSample(null)}>Close</Button>}
      >
        {sample ? <SampleView sample={sample.samples[0]} labels={['Event', 'Gateway answer']} /> : null}
      </Dialog>
    </Card>
  );
}

type Timeseries = inferRouterOutputs<AppRouter>['reports']['timeseries'];

/** The figures and charts of one time series; pure, so the render bench can time it. */
export function DeliveryFigures({ data, showRejected = true }: { data: Timeseries; showRejected?: boolean }) {
  const reasons = Object.keys(data.totals.droppedByReason);
  const format = tickFormatter(data.bucket);
  const figures: Array<[string, number | string, string]> = [
    ['Delivered', data.totals.delivered, 'text-ok-700'],
    ['Retrying', data.totals.retrying, 'text-warn-700'],
    ['Failed', data.totals.aborted, 'text-bad-700'],
    ['Dropped', data.totals.dropped, 'text-ink-900'],
    ...(showRejected
      ? [['Rejected at gateway', data.totals.rejected, 'text-bad-700'] as [string, number, string]]
      : []),
    ['p50 latency', formatMs(data.totals.latencyP50Ms), 'text-ink-900'],
    ['p95 latency', formatMs(data.totals.latencyP95Ms), 'text-ink-900'],
  ];
  return (
    <>
      <dl
        className={`grid grid-cols-2 gap-3 ${showRejected ? 'md:grid-cols-4 xl:grid-cols-7' : 'md:grid-cols-3 xl:grid-cols-6'}`}
      >
        {figures.map(([label, value, tone]) => (
          <div key={label} className="rounded-lg border border-ink-200 bg-white px-4 py-3">
            <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">{label}</dt>
            <dd className={`mt-1 text-xl font-semibold tabular-nums ${value === 0 ? 'text-ink-500' : tone}`}>
              {typeof value === 'number' ? formatNumber(value) : value}
            </dd>
          </div>
        ))}
      </dl>
      <div className="grid gap-5 xl:grid-cols-2">
        <Card title="Events by status">
          <StackedBarChart
            title="Events by status"
            series={showRejected ? [...STATUS_SERIES, REJECTED_SERIES] : STATUS_SERIES}
            formatTick={format}
            points={data.points.map((p) => ({
              at: p.at,
              values: {
                delivered: p.delivered,
                retrying: p.retrying,
                aborted: p.aborted,
                dropped: p.dropped,
                ...(showRejected ? { rejected: p.rejected } : {}),
              },
            }))}
          />
        </Card>
        <Card title="Latency" description="Time from receipt to delivery, p50 and p95.">
          <LineChart
            title="Delivery latency p50 and p95"
            formatTick={format}
            series={[
              { key: 'p50', label: 'p50', color: '#3b6cf6' },
              { key: 'p95', label: 'p95', color: '#a855f7' },
            ]}
            points={data.points.map((p) => ({
              at: p.at,
              values: { p50: p.latencyP50Ms, p95: p.latencyP95Ms },
            }))}
          />
        </Card>
      </div>
      <Card
        title="Dropped, by reason"
        description="Events filtered out, refused by consent, or dropped by a transformation."
      >
        {reasons.length === 0 ? (
          <p className="text-sm text-ink-600">Nothing was dropped in this range.</p>
        ) : (
          <StackedBarChart
            title="Dropped events by reason"
            formatTick={format}
            series={reasons.map((r, i) => ({
              key: r,
              label: `${r || 'unknown'} (${formatCompact(data.totals.droppedByReason[r] ?? 0)})`,
              color: REASON_COLORS[i % REASON_COLORS.length] ?? '#5f6b7f',
            }))}
            points={data.points.map((p) => ({ at: p.at, values: p.droppedByReason }))}
          />
        )}
      </Card>
    </>
  );
}
