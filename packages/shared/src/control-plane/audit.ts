import { z } from 'zod';

/** A page of the audit log, newest first. */
export const ListAuditInput = z.object({
  cursor: z.string().regex(/^\d+$/, 'use the nextCursor of the previous page').optional(),
  limit: z.number().int().min(1).max(200).default(50),
  targetId: z.string().min(1).optional(),
});
