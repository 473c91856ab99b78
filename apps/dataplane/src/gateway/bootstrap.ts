import type { ConfigSource } from '@keel/shared';

/**
 * What `@rudderstack/analytics-js` fetches from `/sourceConfig` before it sends anything. It
 * stays minimal on purpose: no destinations (which would load device-mode code from a CDN)
 * and no statsCollection (which would report to RudderStack's own service).
 */
export function rudderSourceConfig(source: ConfigSource) {
  return {
    source: {
      id: source.id,
      name: source.name,
      workspaceId: source.workspaceId,
      enabled: source.enabled,
      config: {},
      destinations: [],
    },
  };
}

/**
 * What `@segment/analytics-next` fetches from `<cdn>/v1/projects/<writeKey>/settings`.
 * `Segment.io` must be the only integration and must carry the key, or the SDK either loads
 * code from a CDN or sends no credentials; `sampleRate: 0` keeps its telemetry off.
 */
export function segmentSettings(writeKey: string, host: string, protocol: string) {
  return {
    integrations: {
      'Segment.io': { apiKey: writeKey, apiHost: `${host}/v1`, protocol },
    },
    metrics: { sampleRate: 0 },
  };
}

/** `/pixel/v1/page?context.page.url=…&properties.x=…`: dotted query names become nested fields. */
export function pixelEvent(query: Record<string, unknown>, type: 'track' | 'page'): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    if (name === 'writeKey') continue;
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    const path = name.split('.');
    if (
      path.some(
        (part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype',
      )
    )
      continue;
    let target = event;
    for (const part of path.slice(0, -1)) {
      const next = target[part];
      if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
        target = next as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        target[part] = created;
        target = created;
      }
    }
    target[path[path.length - 1] as string] = value;
  }
  event.type = type;
  return event;
}
