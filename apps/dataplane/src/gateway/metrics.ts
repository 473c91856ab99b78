import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { GroupCommitObserver } from './group-commit';

export interface GatewayMetrics {
  requests: Counter<'source' | 'status'>;
  eventsAccepted: Counter<'source'>;
  eventsRejected: Counter<'source' | 'reason'>;
  commitObserver: GroupCommitObserver;
}

/** The gateway's metrics on the data plane's registry. Labels carry source ids, never keys. */
export function createGatewayMetrics(
  registry: Registry,
  onCommitFailure: (error: Error) => void,
): GatewayMetrics {
  const registers = [registry];
  const batchSize = new Histogram({
    name: 'keel_gateway_commit_batch_events',
    help: 'Events per group-commit transaction',
    buckets: [1, 5, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
    registers,
  });
  const latency = new Histogram({
    name: 'keel_gateway_commit_duration_seconds',
    help: 'Time from taking a batch off the queue to its COMMIT',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers,
  });
  const failures = new Counter({
    name: 'keel_gateway_commit_failures_total',
    help: 'Group commits that failed (database unavailable or too slow)',
    registers,
  });
  const queueEvents = new Gauge({
    name: 'keel_gateway_queue_events',
    help: 'Events waiting in memory for a group commit',
    registers,
  });
  const queueBytes = new Gauge({
    name: 'keel_gateway_queue_bytes',
    help: 'Payload bytes waiting in memory for a group commit',
    registers,
  });
  return {
    requests: new Counter({
      name: 'keel_gateway_requests_total',
      help: 'Gateway requests by source id and HTTP status',
      labelNames: ['source', 'status'],
      registers,
    }),
    eventsAccepted: new Counter({
      name: 'keel_gateway_events_accepted_total',
      help: 'Events committed by the gateway, by source id',
      labelNames: ['source'],
      registers,
    }),
    eventsRejected: new Counter({
      name: 'keel_gateway_events_rejected_total',
      help: 'Events the gateway refused, by source id and reason code',
      labelNames: ['source', 'reason'],
      registers,
    }),
    commitObserver: {
      committed(events, seconds) {
        batchSize.observe(events);
        latency.observe(seconds);
      },
      failed(error) {
        failures.inc();
        onCommitFailure(error);
      },
      depth(events, bytes) {
        queueEvents.set(events);
        queueBytes.set(bytes);
      },
    },
  };
}
