import type { Health } from '../components/connection-graph';

export interface HealthInputs {
  connectionEnabled: boolean;
  sourceEnabled: boolean;
  destinationEnabled: boolean;
  /** Error groups of the last hour for the connection's destination. */
  errors: Array<{ status: string; count: number }>;
}

/**
 * A connection's colour: off when anything on its path is disabled, failing when its
 * destination aborted events in the last hour, retrying when it is retrying, else healthy.
 */
export function connectionHealth(input: HealthInputs): Health {
  if (!input.connectionEnabled || !input.sourceEnabled || !input.destinationEnabled) return 'off';
  if (input.errors.some((e) => e.status === 'aborted' && e.count > 0)) return 'failing';
  if (input.errors.some((e) => e.status === 'retrying' && e.count > 0)) return 'retrying';
  return 'healthy';
}
