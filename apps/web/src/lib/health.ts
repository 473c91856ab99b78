import type { Health } from '../components/connection-graph';

export interface HealthInputs {
  connectionEnabled: boolean;
  sourceEnabled: boolean;
  destinationEnabled: boolean;
  /** What happened on this source → destination pair over the last hour, if anything. */
  counts: { delivered: number; retrying: number; aborted: number } | undefined;
}

/**
 * A connection's colour: off when anything on its path is disabled; failing when more than a
 * tenth of its recent events were aborted (or all of them); retrying when some are being
 * retried; else healthy. No traffic counts as healthy.
 */
export function connectionHealth(input: HealthInputs): Health {
  if (!input.connectionEnabled || !input.sourceEnabled || !input.destinationEnabled) return 'off';
  const c = input.counts;
  if (!c) return 'healthy';
  const total = c.delivered + c.retrying + c.aborted;
  if (c.aborted > 0 && (c.delivered === 0 || c.aborted / total > 0.1)) return 'failing';
  if (c.retrying > 0 || c.aborted > 0) return 'retrying';
  return 'healthy';
}
