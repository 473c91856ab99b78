import { listenOrExplain } from '@keel/runtime';
import { buildDataPlane } from './app';
import { loadEnv } from './env';

const env = loadEnv();
const app = await buildDataPlane({ env });
await listenOrExplain(app, { host: env.HOST, port: env.PORT, name: 'dataplane' });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
