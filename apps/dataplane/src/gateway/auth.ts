import type { ConfigSource, WorkspaceConfig } from '@keel/shared';
import type { ConfigStore } from '../config/config-store';
import { GatewayError } from './errors';
import type { KeyUsageRecorder } from './key-usage';

interface KeyEntry {
  source: ConfigSource;
  writeKeyId: string;
}

/** Write key → source and key id, rebuilt once per config version. */
const indexes = new WeakMap<WorkspaceConfig, Map<string, KeyEntry>>();

function indexOf(config: WorkspaceConfig): Map<string, KeyEntry> {
  let index = indexes.get(config);
  if (!index) {
    index = new Map();
    for (const source of config.sources) {
      for (const writeKey of source.writeKeys) index.set(writeKey.key, { source, writeKeyId: writeKey.id });
    }
    indexes.set(config, index);
  }
  return index;
}

/** The user name of `Authorization: Basic base64(writeKey:)`, the way every SDK sends its key. */
export function basicAuthUser(header: string | undefined): string | undefined {
  if (!header || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return user.length > 0 ? user : undefined;
}

/**
 * Finds the enabled source a write key belongs to. Only sources in the current config are
 * accepted. An accepted key is told to `usage`, for its last-used time.
 */
export function authenticate(
  config: ConfigStore,
  writeKey: string | undefined,
  usage?: KeyUsageRecorder,
): ConfigSource {
  if (!writeKey) {
    throw new GatewayError(
      'missing-write-key',
      "No write key: send it as the user name of HTTP Basic auth (Authorization: Basic base64('<writeKey>:')).",
    );
  }
  const current = config.current();
  if (!current) {
    // Before the first config (no cache, control plane away) no key can be judged: a 401 would
    // make SDKs drop their events, a 503 makes them retry.
    throw new GatewayError(
      'config-unavailable',
      'The gateway has not loaded its configuration yet; retry after the Retry-After header.',
      { retryAfterSeconds: 5 },
    );
  }
  const entry = indexOf(current).get(writeKey);
  if (!entry) {
    throw new GatewayError(
      'invalid-write-key',
      'The write key is not known; copy it from the source page. Revoked keys stop working within one config poll.',
    );
  }
  const { source } = entry;
  if (!source.enabled) {
    throw new GatewayError(
      'source-disabled',
      'This source is disabled; enable it on its page to send events.',
    );
  }
  usage?.record(entry.writeKeyId);
  return source;
}

/** Like `authenticate`, but a disabled source is returned rather than refused (for SDK bootstrap). */
export function findSource(config: ConfigStore, writeKey: string | undefined): ConfigSource | undefined {
  const current = config.current();
  return writeKey && current ? indexOf(current).get(writeKey)?.source : undefined;
}
