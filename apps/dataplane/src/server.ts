import { listenOrExplain, loadSettingsOrExit, serverHelp } from '@keel/runtime';
import { buildDataPlane } from './app';
import { DataPlaneEnv, loadEnv } from './env';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(
    serverHelp(
      'tsx apps/dataplane/src/server.ts',
      'The data plane: gateway, processor and router (ROLES picks which), /health and /metrics.\n`npm start` runs it for you.',
      DataPlaneEnv,
    ),
  );
  process.exit(0);
}

const env = loadSettingsOrExit(() => loadEnv());
const app = await buildDataPlane({ env });
await listenOrExplain(app, { host: env.HOST, port: env.PORT, name: 'dataplane' });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
