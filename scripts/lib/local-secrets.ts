import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Secrets the one-machine setup generates on first start and keeps under .data/. */
export interface LocalSecrets {
  /** KEEL_SECRET_KEY: encrypts destination secrets at rest. */
  secretKey: string;
  /** The token the local data plane pulls its config with. */
  dataPlaneToken: string;
}

export function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: LocalSecrets = {
    secretKey: randomBytes(32).toString('base64'),
    dataPlaneToken: `keel_dp_${randomBytes(24).toString('base64url')}`,
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
