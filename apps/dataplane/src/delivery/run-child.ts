// A data plane serving a fixed workspace config read from the JSON file named by the first
// argument, for the multi-process tests and the benchmark. Settings come from the environment
// as for server.ts; it prints "ready <port>" once it listens.
import { readFileSync } from 'node:fs';
import { WorkspaceConfig } from '@keel/shared';
import { buildDataPlane } from '../app';
import { MemoryConfigStore } from '../config/memory-store';
import { loadEnv } from '../env';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: tsx run-child.ts <workspace-config.json>');
  process.exit(2);
}
const env = loadEnv();
const config = new MemoryConfigStore(WorkspaceConfig.parse(JSON.parse(readFileSync(configPath, 'utf8'))));
const app = await buildDataPlane({ env, config, logger: env.LOG_LEVEL === 'silent' ? false : undefined });
await app.listen({ host: '127.0.0.1', port: env.PORT });
const address = app.server.address();
process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
