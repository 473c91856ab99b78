import { type ConfigConnection, type StoredEvent, webhook } from '@keel/shared';
import { describe, expect, it } from 'vitest';
import { webhookDestination } from '../delivery/testing';
import { consentAllows, eventFilterAllows, integrationsAllow, typeSupported } from './stages';

const event = (extra: Partial<StoredEvent> = {}): StoredEvent => ({
  type: 'track',
  event: 'Order Completed',
  userId: 'u1',
  messageId: 'm1',
  receivedAt: new Date().toISOString(),
  ...extra,
});
const destination = webhookDestination('dst_1', 'http://127.0.0.1:9/hook');
const connection = (extra: Partial<ConfigConnection>): ConfigConnection => ({
  ...destination.connection,
  ...extra,
});

describe('integrations object', () => {
  it('sends by default, and follows All, the destination name, type id or title', () => {
    expect(integrationsAllow(event(), destination)).toBe(true);
    expect(integrationsAllow(event({ integrations: { All: false } }), destination)).toBe(false);
    expect(integrationsAllow(event({ integrations: { All: false, Webhook: true } }), destination)).toBe(true);
    expect(integrationsAllow(event({ integrations: { All: false, webhook: {} } }), destination)).toBe(true);
    expect(integrationsAllow(event({ integrations: { 'Webhook dst_1': false } }), destination)).toBe(false);
    expect(integrationsAllow(event({ integrations: { All: true, Other: false } }), destination)).toBe(true);
  });
});

describe('event allow and deny lists', () => {
  it('filters track events by name and lets other types through', () => {
    const allow = connection({ filterMode: 'allow', filterEvents: ['Order Completed'] });
    const deny = connection({ filterMode: 'deny', filterEvents: ['Order Completed'] });
    expect(eventFilterAllows(event(), allow)).toBe(true);
    expect(eventFilterAllows(event({ event: 'Other' }), allow)).toBe(false);
    expect(eventFilterAllows(event(), deny)).toBe(false);
    expect(eventFilterAllows(event({ type: 'identify', event: undefined }), allow)).toBe(true);
  });
});

describe('consent', () => {
  const withConsent = (consentManagement: Record<string, unknown>) =>
    event({ context: { consentManagement } });
  const categories = connection({ consentCategories: ['analytics', 'marketing'] });

  it('drops when any category is denied (and strategy, the default) and passes without consent data', () => {
    expect(consentAllows(event(), categories)).toBe(true);
    expect(consentAllows(withConsent({ deniedConsentIds: ['marketing'] }), categories)).toBe(false);
    expect(
      consentAllows(withConsent({ deniedConsentIds: ['ads'], allowedConsentIds: ['analytics'] }), categories),
    ).toBe(true);
    expect(consentAllows(withConsent({ deniedConsentIds: ['marketing'] }), connection({}))).toBe(true);
  });

  it('drops only when every category is denied with the "or" strategy', () => {
    const or = (denied: string[]) =>
      withConsent({ provider: 'custom', resolutionStrategy: 'or', deniedConsentIds: denied });
    expect(consentAllows(or(['marketing']), categories)).toBe(true);
    expect(consentAllows(or(['marketing', 'analytics']), categories)).toBe(false);
  });
});

describe('supported message types', () => {
  it('checks the catalog entry', () => {
    const trackOnly = { ...webhook, supportedMessageTypes: ['track'] as const };
    expect(typeSupported(event(), trackOnly as never)).toBe(true);
    expect(typeSupported(event({ type: 'page' }), trackOnly as never)).toBe(false);
  });
});
