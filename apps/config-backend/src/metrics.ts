import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The config-backend's Prometheus metrics, served at `GET /metrics`. Labels never carry ids or secrets. */
export interface ConfigBackendMetrics {
  registry: Registry;
  /** By route template (never the raw URL, so ids do not multiply series), method and status. */
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  /** tRPC procedures that answered an error, by procedure path and tRPC error code. */
  trpcErrors: Counter<'procedure' | 'code'>;
  /** Workspace configs built for data planes (cache misses), by outcome. */
  configBuilds: Counter<'outcome'>;
  configBuildDuration: Histogram;
  /** Data planes' long-polls on GET /data-plane/v1/config waiting for a change right now. */
  longPollWaiters: Gauge;
  /** Delivery-report rows pushed by data planes, stored or skipped (workspace gone). */
  reportRows: Counter<'outcome'>;
}

export function createConfigBackendMetrics(): ConfigBackendMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keel_config_backend_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'keel_config_backend_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'keel_config_backend_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and method',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    }),
    trpcErrors: new Counter({
      name: 'keel_config_backend_trpc_errors_total',
      help: 'tRPC procedure calls that answered an error, by procedure and tRPC error code',
      labelNames: ['procedure', 'code'],
      registers,
    }),
    configBuilds: new Counter({
      name: 'keel_config_backend_config_builds_total',
      help: 'Workspace configs built for data planes (cache misses), by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    configBuildDuration: new Histogram({
      name: 'keel_config_backend_config_build_duration_seconds',
      help: 'Time to build and serialise a workspace config for data planes',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    longPollWaiters: new Gauge({
      name: 'keel_config_backend_config_long_poll_waiters',
      help: 'Data-plane config long-polls waiting for a change',
      registers,
    }),
    reportRows: new Counter({
      name: 'keel_config_backend_report_rows_total',
      help: 'Delivery-report rows pushed by data planes: accepted, or skipped because the workspace is gone',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
