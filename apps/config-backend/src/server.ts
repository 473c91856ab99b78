import { listenOrExplain } from '@keel/runtime';
import { buildConfigBackend } from './app';
import { loadEnv } from './env';

const env = loadEnv();
const app = await buildConfigBackend({ env });
await listenOrExplain(app, { host: env.HOST, port: env.PORT, name: 'config-backend' });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
