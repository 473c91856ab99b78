import { z } from 'zod';

/**
 * The limits every transformation runs under, in production and in test runs alike. The
 * defaults are the issue's: 128 MB of heap and 4 s of CPU per batch.
 */
export const SandboxLimits = z.object({
  /** Heap of one isolate; going over disposes the isolate and fails the batch. */
  memoryLimitMb: z.number().int().min(8).default(128),
  /** CPU time one batch may use inside the isolate. */
  cpuTimeLimitMs: z.number().int().positive().default(4000),
  /** Wall-clock time one batch may take, including awaited fetches (with fetch off: the CPU limit + 1 s). */
  wallTimeLimitMs: z.number().int().positive().default(30_000),
  /**
   * Characters of output one batch may produce (64 Mi: 2,000 events of the gateway's 32 KB
   * maximum), so a fan-out into millions of events cannot flood the data plane's memory.
   */
  maxOutputChars: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Isolates kept warm per sandbox process; the least recently used is disposed beyond it. */
  maxIsolates: z.number().int().positive().default(64),
  /** Captured `log`/`console.*` entries per batch; the rest are counted, not kept. */
  maxLogEntries: z.number().int().nonnegative().default(200),
  /** Characters kept of one log entry or error message. */
  maxLogEntryChars: z.number().int().positive().default(2000),
  /** Per fetch call, when the workspace allows fetch. */
  fetchTimeoutMs: z.number().int().positive().default(5000),
  fetchMaxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  fetchMaxCallsPerBatch: z.number().int().nonnegative().default(100),
  /**
   * Private ranges that fetch may reach anyway (CIDRs such as `10.1.2.0/24`), for an internal
   * enrichment service. Empty by default: private, loopback and link-local are refused.
   */
  fetchAllowedCidrs: z.array(z.string()).default([]),
});
export type SandboxLimits = z.infer<typeof SandboxLimits>;
export type SandboxLimitsInput = z.input<typeof SandboxLimits>;

export function resolveLimits(input: SandboxLimitsInput = {}): SandboxLimits {
  return SandboxLimits.parse(input);
}
