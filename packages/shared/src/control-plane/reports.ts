import { z } from 'zod';

export const MAX_RANGE_DAYS = 92;

export const ReportsRange = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    destinationId: z.string().min(1).optional(),
    sourceId: z.string().min(1).optional(),
  })
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), {
    message: '`from` must be before `to`',
    path: ['from'],
  })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_RANGE_DAYS * 86_400_000, {
    message: `choose a range of ${MAX_RANGE_DAYS} days or less`,
    path: ['from'],
  });
export type ReportsRange = z.infer<typeof ReportsRange>;

/** Per source→destination counts over the last `minutes`. */
export const ConnectionHealthInput = z.object({ minutes: z.number().int().min(1).max(1440).default(60) });
