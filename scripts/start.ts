import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  controlPlaneMigrations,
  dataPlaneMigrations,
  ensureDatabase,
  migrate,
  type RunningPostgres,
  startEmbeddedPostgres,
  withClient,
  withDatabase,
} from '@keel/postgres';
import { dataPlaneNodeOptions } from '../apps/dataplane/src/node-options';
import { loadWebEnv } from '../apps/web/src/env';
import { type Child, type ChildSpec, startChild, stopChildren } from './lib/children';
import { loadOrCreateLocalSecrets } from './lib/local-secrets';
import { isPortFree, waitForHttp } from './lib/ports';
import { loadStartEnv } from './lib/start-env';

const HELP = `Usage: npm start

Starts all of Keel on this machine: the web app, the config-backend and the data plane.
Without DATABASE_URL it runs an embedded Postgres whose data lives in .data/ and survives
restarts; with DATABASE_URL it uses that server. Ctrl-C stops everything.

Environment (defaults in brackets):
  DATABASE_URL            Postgres to use [unset: embedded Postgres]
  KEEL_DATA_DIR           embedded Postgres data and generated secrets [.data]
  KEEL_EMBEDDED_PG_PORT   port of the embedded Postgres [5488]
  WEB_PORT                web app [3000]
  CONFIG_BACKEND_PORT     config-backend (tRPC and data-plane API) [4000]
  DATAPLANE_PORT          data plane: gateway, processor, router [8080]
  KEEL_WEB_MODE           auto | dev | prod; prod needs \`npm run build\` [auto]`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = loadStartEnv(process.env, repoRoot);
const started = Date.now();
const say = (line: string) => console.log(`keel          │ ${line}`);

const ports = [
  { port: env.WEB_PORT, name: 'web', variable: 'WEB_PORT' },
  { port: env.CONFIG_BACKEND_PORT, name: 'config-backend', variable: 'CONFIG_BACKEND_PORT' },
  { port: env.DATAPLANE_PORT, name: 'data plane', variable: 'DATAPLANE_PORT' },
  ...(env.DATABASE_URL
    ? []
    : [{ port: env.KEEL_EMBEDDED_PG_PORT, name: 'embedded Postgres', variable: 'KEEL_EMBEDDED_PG_PORT' }]),
];
for (const { port, name, variable } of ports) {
  if (!(await isPortFree(port))) {
    console.error(
      `Port ${port} (${name}) is already in use. Is another Keel running? Stop it, or choose another port with ${variable}.`,
    );
    process.exit(1);
  }
}

let postgres: RunningPostgres | undefined;
const children: Child[] = [];
let stopping = false;

// Stops the children and the embedded Postgres if this process dies without doing it (see reaper.mjs).
const reaper = spawn(process.execPath, [path.join(repoRoot, 'scripts/lib/reaper.mjs')], {
  stdio: ['pipe', 'ignore', 'ignore'],
  detached: true,
});
// Without it Keel runs as before: a reaper that failed or was killed must not stop Keel.
reaper.on('error', (error) => say(`could not start the reaper: ${error.message}`));
reaper.stdin?.on('error', () => {});
const tellReaper = (line: string) => reaper.stdin?.write(`${line}\n`);

async function shutdown(code: number): Promise<never> {
  if (stopping) return new Promise(() => {});
  stopping = true;
  say('stopping…');
  // The data plane pushes its last reports on the way out, so the config-backend stops last.
  const [configBackend, ...others] = children;
  await stopChildren(others);
  if (configBackend) await stopChildren([configBackend]);
  if (postgres) {
    say('stopping the embedded Postgres');
    await postgres.stop();
  }
  say('stopped');
  tellReaper('done');
  reaper.stdin?.end();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// A closed terminal: without this, Node exits at once and the detached children live on.
process.on('SIGHUP', () => void shutdown(0));

try {
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    const dataDir = path.join(env.KEEL_DATA_DIR, 'postgres');
    say(
      `${existsSync(dataDir) ? 'starting' : 'creating'} the embedded Postgres in ${path.relative(repoRoot, dataDir)}`,
    );
    // Its own process group: Ctrl-C reaches only this launcher, which stops Postgres after the apps.
    postgres = await startEmbeddedPostgres({
      dataDir,
      port: env.KEEL_EMBEDDED_PG_PORT,
      ownProcessGroup: true,
    });
    tellReaper(`postgres ${dataDir}`);
    void postgres.exited.then((log) => {
      if (stopping) return;
      const last = log.split('\n').slice(-10).join('\n');
      say(`the embedded Postgres exited unexpectedly; stopping everything. The end of its log:\n${last}`);
      void shutdown(1);
    });
    databaseUrl = withDatabase(postgres.url, 'keel');
  }
  await ensureDatabase(databaseUrl);
  const migrated = await withClient(databaseUrl, async (client) => [
    await migrate(client, controlPlaneMigrations),
    await migrate(client, dataPlaneMigrations),
  ]);
  say(`database ready (${migrated.flatMap((m) => m.applied).length} migrations applied now)`);

  const secrets = loadOrCreateLocalSecrets(env.KEEL_DATA_DIR);
  const { ensureInstanceDataPlaneToken } = await import(
    '../apps/config-backend/src/domain/data-plane-tokens'
  );
  const { createPrisma } = await import('../apps/config-backend/src/db');
  const prisma = createPrisma(databaseUrl);
  await ensureInstanceDataPlaneToken(prisma, secrets.dataPlaneToken);
  await prisma.$disconnect();

  const base = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const configBackendUrl = `http://127.0.0.1:${env.CONFIG_BACKEND_PORT}`;
  const dataPlaneUrl = `http://localhost:${env.DATAPLANE_PORT}`;
  const webUrl = `http://localhost:${env.WEB_PORT}`;
  const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
  const next = path.join(repoRoot, 'node_modules/.bin/next');
  const webBuilt = existsSync(
    path.join(repoRoot, 'apps/web', loadWebEnv(process.env).KEEL_WEB_DIST_DIR, 'BUILD_ID'),
  );
  const webMode = env.KEEL_WEB_MODE === 'auto' ? (webBuilt ? 'prod' : 'dev') : env.KEEL_WEB_MODE;

  const specs: ChildSpec[] = [
    {
      name: 'config-backend',
      command: tsx,
      args: [path.join(repoRoot, 'apps/config-backend/src/server.ts')],
      env: {
        ...base,
        DATABASE_URL: databaseUrl,
        PORT: String(env.CONFIG_BACKEND_PORT),
        KEEL_SECRET_KEY: env.KEEL_SECRET_KEY ?? secrets.secretKey,
        PUBLIC_URL: env.PUBLIC_URL ?? webUrl,
      },
    },
    {
      name: 'dataplane',
      command: tsx,
      args: [path.join(repoRoot, 'apps/dataplane/src/server.ts')],
      env: {
        ...base,
        NODE_OPTIONS: dataPlaneNodeOptions(process.env.NODE_OPTIONS),
        DATABASE_URL: databaseUrl,
        PORT: String(env.DATAPLANE_PORT),
        CONFIG_BACKEND_URL: configBackendUrl,
        DATA_PLANE_TOKEN: secrets.dataPlaneToken,
        DATA_PLANE_ID: env.DATA_PLANE_ID,
      },
    },
    {
      name: 'web',
      command: next,
      args: [webMode === 'prod' ? 'start' : 'dev', '--port', String(env.WEB_PORT)],
      cwd: path.join(repoRoot, 'apps/web'),
      env: {
        ...base,
        CONFIG_BACKEND_URL: configBackendUrl,
        DATA_PLANE_URL: env.DATA_PLANE_URL ?? dataPlaneUrl,
        NODE_ENV: webMode === 'prod' ? 'production' : 'development',
      },
    },
  ];
  // The config-backend goes first, so the data plane's first config poll finds it.
  const health: Record<string, string> = {
    'config-backend': `${configBackendUrl}/health`,
    dataplane: `http://127.0.0.1:${env.DATAPLANE_PORT}/health`,
    web: `http://127.0.0.1:${env.WEB_PORT}/`,
  };
  const launch = (spec: ChildSpec) => {
    const child = startChild(spec, children.length);
    children.push(child);
    if (child.process.pid !== undefined) tellReaper(`group ${child.process.pid}`);
    child.exited.then((code) => {
      if (!stopping) {
        say(`${child.name} exited unexpectedly (code ${code}); stopping everything.`);
        void shutdown(1);
      }
    });
    return child;
  };
  const waitReady = async (child: Child) => {
    if (!(await waitForHttp(health[child.name] ?? '', 180_000, () => !stopping && child.alive()))) {
      say(`${child.name} did not become ready; see the lines above.`);
      await shutdown(1);
    }
  };
  const [configBackendSpec, ...rest] = specs;
  if (configBackendSpec) await waitReady(launch(configBackendSpec));
  await Promise.all(rest.map((spec) => waitReady(launch(spec))));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
  Keel is running (ready in ${seconds} s).

    Web app          ${webUrl}          open it to create the owner account
    Config-backend   ${configBackendUrl.replace('127.0.0.1', 'localhost')}          tRPC at /trpc, data-plane API at /data-plane/v1
    Data plane       ${dataPlaneUrl}          send events here (/v1/track, /v1/batch, …)
    Postgres         ${env.DATABASE_URL ? 'DATABASE_URL' : `embedded, data in ${path.relative(repoRoot, env.KEEL_DATA_DIR)}/postgres`}

  Next: create the owner account in the web app, or wire a webhook in one command:
    npm run skeleton -- --url https://your-endpoint.example/hook
  Press Ctrl-C to stop.
`);
} catch (error) {
  console.error(`Keel could not start: ${(error as Error).message}`);
  await shutdown(1);
}
