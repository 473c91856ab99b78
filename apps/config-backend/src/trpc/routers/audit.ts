import { ListAuditInput } from '@keel/shared';
import { listAudit } from '../../domain/audit';
import { router, workspaceProcedure } from '../trpc';

export const auditRouter = router({
  /** Newest first; pass the returned nextCursor to read older entries. */
  list: workspaceProcedure('viewer')
    .input(ListAuditInput)
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.workspace.id, input)),
});
