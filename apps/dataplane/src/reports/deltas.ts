import { jsonbText } from '@keel/postgres';
import type { DeliveryStatus, ReportSample } from '@keel/shared';
import type pg from 'pg';
import { copyJson, copyText, runScript, type ScriptStep } from '../jobsdb/copy';
import { bucketOf, emptyHistogram } from './histogram';

export interface ReportEntry {
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  status: DeliveryStatus;
  /** '' for no error; a drop's reason, a gateway rejection's code, an HTTP status or a network error code. */
  errorCode: string;
  /** Delivery latency from receivedAt, for delivered events. */
  latencyMs?: number;
  sample?: ReportSample;
  /** How many events this entry stands for; 1 unless given (the gateway's rejections come counted). */
  count?: number;
}

interface Delta {
  workspaceId: string;
  sourceId: string;
  destinationId: string;
  status: DeliveryStatus;
  errorCode: string;
  count: number;
  histogram: number[];
  samples: ReportSample[];
}

const MAX_SAMPLES = 5;

/**
 * Counts the status changes of one transaction by report key, so that the transaction appends
 * one delta row per key instead of updating a shared per-minute row.
 */
export class ReportCollector {
  private readonly deltas = new Map<string, Delta>();

  add(entry: ReportEntry): void {
    const key = `${entry.workspaceId}\u0000${entry.sourceId}\u0000${entry.destinationId}\u0000${entry.status}\u0000${entry.errorCode}`;
    let delta = this.deltas.get(key);
    if (!delta) {
      delta = {
        workspaceId: entry.workspaceId,
        sourceId: entry.sourceId,
        destinationId: entry.destinationId,
        status: entry.status,
        errorCode: entry.errorCode,
        count: 0,
        histogram: emptyHistogram(),
        samples: [],
      };
      this.deltas.set(key, delta);
    }
    delta.count += entry.count ?? 1;
    if (entry.latencyMs !== undefined) {
      const b = bucketOf(entry.latencyMs);
      delta.histogram[b] = (delta.histogram[b] ?? 0) + 1;
    }
    if (entry.sample && delta.samples.length < MAX_SAMPLES) delta.samples.push(entry.sample);
  }

  get size(): number {
    return this.deltas.size;
  }

  rows(): Delta[] {
    return [...this.deltas.values()];
  }
}

export function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

/**
 * The COPY step that appends a collector's deltas for the minute of `at`, to run inside a
 * transaction script (see jobsdb/copy.ts) with the status changes they count.
 */
export function reportDeltasStep(collector: ReportCollector, at: Date = new Date()): ScriptStep {
  const minute = minuteOf(at).toISOString();
  let rows = '';
  for (const r of collector.rows()) {
    rows += `${copyText(r.workspaceId)}\t${minute}\t${copyText(r.sourceId)}\t${copyText(r.destinationId)}\t${copyText(r.status)}\t${copyText(r.errorCode)}\t${r.count}\t{${r.histogram.join(',')}}\t${copyJson(jsonbText(r.samples))}\n`;
  }
  return {
    copy: 'COPY rpt_deltas (workspace_id, minute, source_id, destination_id, status, error_code, count, histogram, samples) FROM STDIN',
    rows,
  };
}

/** Appends a collector's deltas inside the caller's transaction. */
export async function writeReportDeltas(
  tx: pg.ClientBase,
  collector: ReportCollector,
  at: Date = new Date(),
): Promise<void> {
  await runScript(tx, [reportDeltasStep(collector, at)]);
}
