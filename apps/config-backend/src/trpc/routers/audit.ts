import { z } from 'zod';
import { listAudit } from '../../domain/audit';
import { router, workspaceProcedure } from '../trpc';

export const auditRouter = router({
  /** Newest first; pass the returned nextCursor to read older entries. */
  list: workspaceProcedure('viewer')
    .input(
      z.object({
        cursor: z.string().regex(/^\d+$/, 'use the nextCursor of the previous page').optional(),
        limit: z.number().int().min(1).max(200).default(50),
        targetId: z.string().min(1).optional(),
      }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.workspace.id, input)),
});
