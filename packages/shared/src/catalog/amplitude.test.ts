import { describe, expect, it } from 'vitest';
import { StoredEvent } from '../events';
import { AMPLITUDE_ENDPOINTS, AmplitudeConfig, amplitude } from './amplitude';
import { findDestinationType } from './index';
import { type DeliveryPayload, secretFieldsOf } from './types';

const config = AmplitudeConfig.parse({ apiKey: 'amp-secret-key' });

function stored(fields: Record<string, unknown>): StoredEvent {
  return StoredEvent.parse({
    messageId: 'msg-1',
    receivedAt: '2026-11-26T10:00:01.000Z',
    timestamp: '2026-11-26T10:00:00.000Z',
    anonymousId: 'anon-12345',
    userId: 'user-12345',
    context: {
      ip: '203.0.113.9',
      locale: 'en-GB',
      os: { name: 'iOS', version: '17.1' },
      device: { type: 'ios', model: 'iPhone15,2', manufacturer: 'Apple' },
      app: { version: '2.4.0' },
      traits: { plan: 'pro' },
    },
    ...fields,
  });
}

function payloadsOf(event: StoredEvent, c = config): DeliveryPayload[] {
  const result = amplitude.transform(event, c);
  if (!result.ok) throw new Error(result.reason);
  return result.payloads;
}

const common = {
  user_id: 'user-12345',
  device_id: 'anon-12345',
  insert_id: 'msg-1',
  time: Date.parse('2026-11-26T10:00:00.000Z'),
  library: 'keel',
  platform: 'ios',
  os_name: 'iOS',
  os_version: '17.1',
  device_manufacturer: 'Apple',
  device_model: 'iPhone15,2',
  app_version: '2.4.0',
  language: 'en-GB',
  ip: '203.0.113.9',
};

describe('amplitude transform', () => {
  it('is registered in the catalog', () => {
    expect(findDestinationType('amplitude')?.title).toBe('Amplitude');
  });

  it('maps a track event, with revenue fields, to one HTTP V2 event; the API key goes only into the request', () => {
    const payloads = payloadsOf(
      stored({
        type: 'track',
        event: 'Order Completed',
        properties: { revenue: 42.5, quantity: 2, product_id: 'p1' },
      }),
    );
    expect(payloads).toEqual([
      {
        method: 'POST',
        url: AMPLITUDE_ENDPOINTS.US.events,
        headers: { 'content-type': 'application/json' },
        body: {
          ...common,
          event_type: 'Order Completed',
          event_properties: { revenue: 42.5, quantity: 2, product_id: 'p1' },
          user_properties: { plan: 'pro' },
          revenue: 42.5,
          quantity: 2,
          productId: 'p1',
        },
      },
    ]);
    expect(JSON.stringify(payloads)).not.toContain('amp-secret-key');
    const request = amplitude.toRequest(payloads, config);
    expect(request.url).toBe('https://api2.amplitude.com/2/httpapi');
    expect(JSON.parse(request.body ?? '')).toEqual({
      api_key: 'amp-secret-key',
      events: [payloads[0]?.body],
    });
    expect(request.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('maps identify to $identify with the traits under $set', () => {
    const [payload] = payloadsOf(stored({ type: 'identify', traits: { email: 'a@example.com' } }));
    expect(payload?.body).toEqual({
      ...common,
      event_type: '$identify',
      user_properties: { $set: { plan: 'pro', email: 'a@example.com' } },
    });
  });

  it('names page and screen views after the page or screen', () => {
    const page = payloadsOf(
      stored({ type: 'page', name: 'Pricing', category: 'Docs', properties: { path: '/pricing' } }),
    )[0]?.body as Record<string, unknown>;
    expect(page.event_type).toBe('Viewed Pricing Page');
    expect(page.event_properties).toEqual({ path: '/pricing', name: 'Pricing', category: 'Docs' });
    const unnamed = payloadsOf(stored({ type: 'page', properties: {} }))[0]?.body as Record<string, unknown>;
    expect(unnamed.event_type).toBe('Loaded a Page');
    const screen = payloadsOf(stored({ type: 'screen', name: 'Cart' }))[0]?.body as Record<string, unknown>;
    expect(screen.event_type).toBe('Viewed Cart Screen');
    expect(screen.event_properties).toEqual({ name: 'Cart' });
  });

  it('maps group to a group assignment and a Group Identify call for its traits', () => {
    const payloads = payloadsOf(
      stored({ type: 'group', groupId: 'acme', traits: { groupType: 'org', seats: 12 } }),
    );
    expect(payloads.map((p) => p.url)).toEqual([
      AMPLITUDE_ENDPOINTS.US.events,
      AMPLITUDE_ENDPOINTS.US.groups,
    ]);
    expect(payloads[0]?.body).toEqual({
      ...common,
      event_type: '$identify',
      groups: { org: 'acme' },
      user_properties: { $set: { org: 'acme' } },
    });
    const request = amplitude.toRequest([payloads[1] as DeliveryPayload], config);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body ?? '');
    expect(form.get('api_key')).toBe('amp-secret-key');
    expect(JSON.parse(form.get('identification') ?? '')).toEqual([
      { group_type: 'org', group_value: 'acme', group_properties: { $set: { seats: 12 } } },
    ]);
    // Without traits there is nothing to identify; the configured group type applies.
    const bare = payloadsOf(stored({ type: 'group', groupId: 'acme' }));
    expect(bare).toHaveLength(1);
    expect((bare[0]?.body as { groups?: unknown } | undefined)?.groups).toEqual({ company: 'acme' });
  });

  it('maps alias to the User Mapping API', () => {
    const payloads = payloadsOf(stored({ type: 'alias', previousId: 'old-12345' }));
    expect(payloads[0]?.url).toBe(AMPLITUDE_ENDPOINTS.US.userMap);
    const form = new URLSearchParams(amplitude.toRequest(payloads, config).body ?? '');
    expect(form.get('api_key')).toBe('amp-secret-key');
    expect(JSON.parse(form.get('mapping') ?? '')).toEqual([
      { user_id: 'old-12345', global_user_id: 'user-12345' },
    ]);
  });

  it('drops events Amplitude would reject, with the reason', () => {
    expect(
      amplitude.transform(stored({ type: 'track', event: 'X', userId: null, anonymousId: null }), config),
    ).toEqual({
      ok: false,
      reason: 'Amplitude needs a userId or an anonymousId (its device_id).',
    });
    expect(amplitude.transform(stored({ type: 'alias', previousId: undefined }), config).ok).toBe(false);
  });

  it('batches several events into one request, with min_id_length when set', () => {
    const c = AmplitudeConfig.parse({ apiKey: 'k', minIdLength: 1 });
    const payloads = [1, 2, 3].flatMap((n) =>
      payloadsOf(stored({ type: 'track', event: `E${n}`, messageId: `m${n}`, userId: 'u1' }), c),
    );
    const body = JSON.parse(amplitude.toRequest(payloads, c).body ?? '');
    expect(
      body.events.map((e: { event_type: string; insert_id: string }) => [e.event_type, e.insert_id]),
    ).toEqual([
      ['E1', 'm1'],
      ['E2', 'm2'],
      ['E3', 'm3'],
    ]);
    expect(body.options).toEqual({ min_id_length: 1 });
    expect(amplitude.delivery(c).batching).toEqual({ maxEvents: 100, maxWaitMs: 1000 });
  });

  it('uses the EU residency hosts, or the configured API host', () => {
    const eu = AmplitudeConfig.parse({ apiKey: 'k', residency: 'EU' });
    expect(payloadsOf(stored({ type: 'track', event: 'E' }), eu)[0]?.url).toBe(
      'https://api.eu.amplitude.com/2/httpapi',
    );
    const proxied = AmplitudeConfig.parse({
      apiKey: 'k',
      residency: 'EU',
      apiHost: 'http://127.0.0.1:9000/amp/',
    });
    expect(payloadsOf(stored({ type: 'alias', previousId: 'p-12345' }), proxied)[0]?.url).toBe(
      'http://127.0.0.1:9000/amp/usermap',
    );
  });
});

describe('amplitude config', () => {
  const errorPaths = (input: unknown) =>
    AmplitudeConfig.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('names the field of each mistake', () => {
    expect(errorPaths({})).toEqual([['apiKey', "enter your Amplitude project's API key"]]);
    expect(errorPaths({ apiKey: ' ' })).toEqual([['apiKey', "enter your Amplitude project's API key"]]);
    expect(errorPaths({ apiKey: 'k', maxBatchSize: 5000 })).toEqual([
      ['maxBatchSize', 'Amplitude accepts at most 2000 events per request'],
    ]);
    expect(errorPaths({ apiKey: 'k', residency: 'APAC' })?.[0]?.[0]).toBe('residency');
    expect(errorPaths({ apiKey: 'k', apiHost: 'ftp://example.com' })).toEqual([
      ['apiHost', 'the host must start with http:// or https://'],
    ]);
  });

  it('marks the API key, and only it, as secret', () => {
    expect(secretFieldsOf(AmplitudeConfig)).toEqual(['apiKey']);
  });
});
