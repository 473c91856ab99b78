import { authRouter } from './routers/auth';
import { router } from './trpc';

/** Every procedure of the control plane. Each domain adds one line here. */
export const appRouter = router({
  auth: authRouter,
});

export type AppRouter = typeof appRouter;
