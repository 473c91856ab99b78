/**
 * Advisory-lock keys of the data plane, (class, object) pairs. Writers of a job table hold the
 * table's transaction-level lock from their first row to their commit, so job ids become
 * visible strictly in order: a reader that has seen id n has seen every id below n, and can
 * keep its position as a single number.
 */
export const LOCK_CLASS = 72_010;

export const LOCKS = {
  gatewayAppend: 1,
  routerAppend: 2,
  processorLease: 3,
  maintenance: 4,
  reportPusher: 5,
  failedEventsPusher: 6,
  commandPuller: 7,
} as const;

/** Router leases are keyed by (class + 1, hash of destination and shard). */
export const ROUTER_LEASE_CLASS = LOCK_CLASS + 1;
