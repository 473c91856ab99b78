import { type SandboxLimitsInput, SandboxPool } from '@keel/transform';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs test runs and publish-time checks of transformation code. */
    transformWorker: SandboxPool;
  }
}

export interface TransformWorkerOptions {
  limits?: SandboxLimitsInput;
  processes?: number;
}

/**
 * The config-backend's transformation worker: a sandbox child process (started on first use)
 * with the data plane's sandbox and limits. It is a process, not a worker thread, because V8
 * aborts its whole process on some huge allocations that isolated-vm's memory limit misses;
 * a worker thread would take the config-backend down with it.
 */
export const transformWorkerPlugin = fp(
  async (app: FastifyInstance, options: TransformWorkerOptions) => {
    const pool = new SandboxPool({ limits: options.limits, processes: options.processes ?? 1 });
    app.decorate('transformWorker', pool);
    app.addHook('onClose', () => pool.close());
  },
  { name: 'keel-transform-worker' },
);
