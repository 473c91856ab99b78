import { listenOrExplain, loadSettingsOrExit, serverHelp } from '@keel/runtime';
import { buildConfigBackend } from './app';
import { ConfigBackendEnv, loadEnv } from './env';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(
    serverHelp(
      'tsx apps/config-backend/src/server.ts',
      'The config-backend: tRPC for the web app and scripts at /trpc, the data-plane API at /data-plane/v1,\n/health and /metrics. `npm start` runs it for you.',
      ConfigBackendEnv,
    ),
  );
  process.exit(0);
}

const env = loadSettingsOrExit(() => loadEnv());
const app = await buildConfigBackend({ env });
await listenOrExplain(app, { host: env.HOST, port: env.PORT, name: 'config-backend' });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
