import { authRouter } from './routers/auth';
import { dataPlaneTokensRouter } from './routers/data-plane-tokens';
import { failedEventsRouter } from './routers/failed-events';
import { liveRouter } from './routers/live';
import { reportsRouter } from './routers/reports';
import { router } from './trpc';

/** Every procedure of the control plane. Each domain adds one line here. */
export const appRouter = router({
  auth: authRouter,
  dataPlaneTokens: dataPlaneTokensRouter,
  failedEvents: failedEventsRouter,
  live: liveRouter,
  reports: reportsRouter,
});

export type AppRouter = typeof appRouter;
