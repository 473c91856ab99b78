import { apiTokensRouter } from './routers/api-tokens';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { connectionsRouter } from './routers/connections';
import { dataPlaneTokensRouter } from './routers/data-plane-tokens';
import { destinationsRouter } from './routers/destinations';
import { failedEventsRouter } from './routers/failed-events';
import { invitationsRouter } from './routers/invitations';
import { liveRouter } from './routers/live';
import { reportsRouter } from './routers/reports';
import { sourcesRouter } from './routers/sources';
import { transformationsRouter } from './routers/transformations';
import { membersRouter, workspacesRouter } from './routers/workspaces';
import { router } from './trpc';

/** Every procedure of the control plane. Each domain adds one line here. */
export const appRouter = router({
  auth: authRouter,
  workspaces: workspacesRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  apiTokens: apiTokensRouter,
  sources: sourcesRouter,
  destinations: destinationsRouter,
  connections: connectionsRouter,
  audit: auditRouter,
  dataPlaneTokens: dataPlaneTokensRouter,
  failedEvents: failedEventsRouter,
  live: liveRouter,
  reports: reportsRouter,
  transformations: transformationsRouter,
});

export type AppRouter = typeof appRouter;
