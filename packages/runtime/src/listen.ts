import type { FastifyInstance } from 'fastify';

/**
 * Starts listening, or explains in one line why not and exits: a taken port is a common,
 * expected failure and deserves no stack trace.
 */
export async function listenOrExplain(
  app: FastifyInstance,
  options: { host: string; port: number; name: string },
): Promise<string> {
  try {
    return await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      console.error(
        `${options.name}: port ${options.port} is already in use. Stop whatever holds it, or set PORT.`,
      );
    } else if (code === 'EACCES') {
      console.error(
        `${options.name}: not allowed to listen on port ${options.port}. Choose a port above 1024 with PORT.`,
      );
    } else {
      console.error(
        `${options.name}: could not listen on ${options.host}:${options.port}: ${(error as Error).message}`,
      );
    }
    process.exit(1);
  }
}
