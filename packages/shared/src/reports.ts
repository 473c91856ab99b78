import { z } from 'zod';

/**
 * The outcome of one job at one step of the pipeline. `rejected`: refused by the gateway and
 * never stored (an invalid event, rate-limited, too large); its destination is ''.
 */
export const DeliveryStatus = z.enum(['delivered', 'retrying', 'aborted', 'dropped', 'rejected']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const ReportSample = z.object({
  messageId: z.string(),
  request: z.unknown(),
  response: z.unknown(),
});
export type ReportSample = z.infer<typeof ReportSample>;

/** One per-minute aggregate, keyed by (minute, source, destination, status, error code). */
export const DeliveryReportRow = z.object({
  workspaceId: z.string(),
  minute: z.iso.datetime(),
  sourceId: z.string(),
  destinationId: z.string(),
  status: DeliveryStatus,
  /** '' when there is no error; a drop's reason, the gateway's code for a rejection, or an HTTP status or network error code. */
  errorCode: z.string(),
  count: z.number().int().nonnegative(),
  latencyP50Ms: z.number().int().nonnegative().nullable(),
  latencyP95Ms: z.number().int().nonnegative().nullable(),
  latencyP99Ms: z.number().int().nonnegative().nullable(),
  samples: z.array(ReportSample).max(5),
});
export type DeliveryReportRow = z.infer<typeof DeliveryReportRow>;

export const DeliveryReportBatch = z.object({
  dataPlaneId: z.string().min(1),
  reports: z.array(DeliveryReportRow).max(10_000),
});
export type DeliveryReportBatch = z.infer<typeof DeliveryReportBatch>;
