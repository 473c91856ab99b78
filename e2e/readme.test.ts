import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigBackendEnv } from '../apps/config-backend/src/env';
import { DataPlaneEnv } from '../apps/dataplane/src/env';
import { StartEnv } from '../scripts/lib/start-env';

// Every setting is read in one env.ts per app; this keeps the README's tables complete.
describe('the README', () => {
  it('documents every environment variable of npm start, the config-backend and the data plane', async () => {
    const readme = await readFile(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const names = [StartEnv, ConfigBackendEnv, DataPlaneEnv].flatMap((schema) => Object.keys(schema.shape));
    const missing = [...new Set(names)].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
