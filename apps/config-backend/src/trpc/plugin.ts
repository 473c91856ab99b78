import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LoginThrottle } from '../domain/auth';
import { type AppRouter, appRouter } from './root';
import { createContext } from './trpc';

/** Mounts the tRPC API at /trpc. Needs @fastify/cookie registered first. */
export const trpcPlugin = fp(
  async (app: FastifyInstance) => {
    const services = { loginThrottle: new LoginThrottle() };
    await app.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: {
        router: appRouter,
        createContext: (opts) => createContext(opts, services),
        onError({ error, path, req }) {
          // A path that names no procedure is the caller's text: label it 'unknown', not by it.
          const procedure = path && Object.hasOwn(appRouter._def.procedures, path) ? path : 'unknown';
          app.keel.metrics.trpcErrors.inc({ procedure, code: error.code });
          // Expected errors are the client's to handle; only unexpected ones are logged.
          if (error.code === 'INTERNAL_SERVER_ERROR')
            req.log.error({ err: error.cause ?? error, path }, 'tRPC procedure failed');
        },
      } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
    });
  },
  { name: 'keel-trpc', dependencies: ['@fastify/cookie'] },
);
