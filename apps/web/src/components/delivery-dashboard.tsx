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
import { EmptyState, ErrorState, Loading } from './ui/states';
import { Table } from './ui/table';

type ErrorGroup = inferRouterOutputs<AppRouter>['reports']['errors'][number];

const STATUS_SERIES = [
  { key: 'delivered', label: 'Delivered', color: '#16a06a' },
  { key: 'retrying', label: 'Retrying', color: '#e0a526' },
  { key: 'aborted', label: 'Failed (aborted)', color: '#d8453f' },
  { key: 'dropped', label: 'Dropped', color: '#8d96a7' },
];
const REASON_COLORS = ['#5f6b7f', '#3b6cf6', '#a855f7', '#0ea5e9', '#f97316', '#14b8a6'];

/** Delivery status, drops by reason and latency over a chosen range, with the errors behind them. */
export function DeliveryDashboard({
  workspaceId,
  destinationId,
  destinationName,
}: {
  workspaceId: string;
  destinationId?: string;
  destinationName?: (id: string) => string;
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
      {series.data ? <DeliveryFigures data={series.data} /> : null}

      <Card
        title="Errors"
        description="Failures and drops grouped by error code, most frequent first."
        padded={false}
      >
        {errors.error ? (
          <div className="p-5">
            <ErrorState error={errors.error} onRetry={() => void errors.refetch()} />
          </div>
        ) : errors.isPending ? (
          <div className="p-5">
            <Loading label="Loading errors" />
          </div>
        ) : errors.data && errors.data.length === 0 ? (
          <div className="p-5">
            <EmptyState
              title="No errors in this range"
              description="Every event in this range was delivered or is still on its way."
            />
          </div>
        ) : (
          <Table
            caption="Errors grouped by code"
            rows={errors.data ?? []}
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
              {
                header: 'Events',
                cell: (g) => <span className="tabular-nums">{formatNumber(g.count)}</span>,
              },
              { header: 'Last seen', cell: (g) => formatDateTime(g.lastSeen), wide: true },
              {
                header: <span className="sr-only">Sample</span>,
                cell: (g) =>
                  g.samples.length ? (
                    <Button
                      size="sm"
                      onClick={() => setSample(g)}
                      aria-label={`Show a sample of ${g.errorCode || 'this error'}`}
                    >
                      Sample
                    </Button>
                  ) : (
                    <span className="text-xs text-ink-500">no sample</span>
                  ),
              },
            ]}
          />
        )}
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

function SampleView({ sample }: { sample: unknown }) {
  const s = (sample ?? {}) as { messageId?: unknown; request?: unknown; response?: unknown };
  return (
    <div className="max-h-[60vh] space-y-3 overflow-y-auto">
      {typeof s.messageId === 'string' ? (
        <p className="text-xs text-ink-600">
          Message <code className="font-mono">{s.messageId}</code>
        </p>
      ) : null}
      <Json label="Request" value={s.request} />
      <Json label="Response" value={s.response} />
    </div>
  );
}

type Timeseries = inferRouterOutputs<AppRouter>['reports']['timeseries'];

/** The figures and charts of one time series; pure, so the render bench can time it. */
export function DeliveryFigures({ data }: { data: Timeseries }) {
  const reasons = Object.keys(data.totals.droppedByReason);
  const format = tickFormatter(data.bucket);
  return (
    <>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        {[
          ['Delivered', data.totals.delivered, 'text-ok-700'],
          ['Retrying', data.totals.retrying, 'text-warn-700'],
          ['Failed', data.totals.aborted, 'text-bad-700'],
          ['Dropped', data.totals.dropped, 'text-ink-900'],
          ['p50 latency', formatMs(data.totals.latencyP50Ms), 'text-ink-900'],
          ['p95 latency', formatMs(data.totals.latencyP95Ms), 'text-ink-900'],
        ].map(([label, value, tone]) => (
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
            series={STATUS_SERIES}
            formatTick={format}
            points={data.points.map((p) => ({
              at: p.at,
              values: {
                delivered: p.delivered,
                retrying: p.retrying,
                aborted: p.aborted,
                dropped: p.dropped,
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
