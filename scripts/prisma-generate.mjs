// Generates the Prisma client. Generation needs no schema engine, but the Prisma CLI tries to
// download one unless PRISMA_SCHEMA_ENGINE_BINARY names an executable, so point it at node.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
