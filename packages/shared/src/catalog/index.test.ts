import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events';
import { destinationCatalog } from './index';
import { DeliveryPayload, secretFieldsOf } from './types';

describe('destination catalog', () => {
  it('registers each entry under its own id', () => {
    for (const [id, type] of Object.entries(destinationCatalog)) expect(type.id).toBe(id);
    expect(Object.keys(destinationCatalog)).toEqual(
      expect.arrayContaining(['webhook', 'amplitude', 'mixpanel', 'posthog', 'slack']),
    );
  });

  it('keeps every config schema free of object-level refinements, so forms can omit kept secrets', () => {
    for (const type of Object.values(destinationCatalog)) {
      const secrets = secretFieldsOf(type.configSchema);
      const mask = Object.fromEntries(secrets.map((name) => [name, true])) as Record<string, true>;
      expect(() => type.configSchema.omit(mask), type.id).not.toThrow();
    }
  });
});

/** Configs that parse for each destination, pointed at a local host. */
const validConfigs: Record<string, Record<string, unknown>> = {
  webhook: { url: 'http://127.0.0.1:9/hook' },
  amplitude: { apiKey: 'k', apiHost: 'http://127.0.0.1:9' },
  mixpanel: { projectToken: 't', apiHost: 'http://127.0.0.1:9' },
  posthog: { apiKey: 'phc_k', host: 'http://127.0.0.1:9' },
  slack: { webhookUrl: 'http://127.0.0.1:9/services/x' },
};

/** Shapes a user transformation or a careless client can leave behind. */
const oddEvents: Record<string, unknown>[] = [
  { type: 'track', event: 'E', userId: 12345, properties: ['not', 'an', 'object'], context: null },
  { type: 'track', userId: 'u-1', properties: { revenue: 'abc', nested: { deep: [1, { x: null }] } } },
  { type: 'identify', anonymousId: 'a-1', traits: 'a string', context: { traits: 7, device: 'phone' } },
  { type: 'page', userId: 'u-1', name: null, properties: null, context: { page: [] } },
  { type: 'screen', anonymousId: 'a-1', name: 42 },
  { type: 'group', userId: 'u-1', groupId: 7, traits: { groupType: ['x'] } },
  { type: 'group', userId: 'u-1' },
  { type: 'alias', previousId: 'p-1' },
  { type: 'track', event: 'E', timestamp: 'not a date', originalTimestamp: 17 },
];

describe('every destination transform', () => {
  it('turns odd events into requests or drop reasons, never an exception', () => {
    for (const type of Object.values(destinationCatalog)) {
      const config = type.configSchema.parse(validConfigs[type.id]);
      for (const fields of oddEvents) {
        const event = { messageId: 'm-1', receivedAt: '2026-11-26T10:00:00.000Z', ...fields } as StoredEvent;
        const result = type.transform(event, config);
        if (!result.ok) {
          expect(result.reason.length, `${type.id} ${fields.type}`).toBeGreaterThan(0);
          continue;
        }
        for (const payload of result.payloads) {
          expect(() => DeliveryPayload.parse(payload)).not.toThrow();
          const request = type.toRequest([payload], config);
          expect(request.url.startsWith('http://127.0.0.1:9'), `${type.id} ${request.url}`).toBe(true);
        }
      }
    }
  });
});
