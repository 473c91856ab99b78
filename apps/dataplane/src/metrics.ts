import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The data plane's Prometheus registry. Each stage registers its own metrics on it
 * (`registers: [registry]`), and `GET /metrics` serves it.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keel_dataplane_' });
  return registry;
}
