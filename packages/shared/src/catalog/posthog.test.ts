import { describe, expect, it } from 'vitest';
import { StoredEvent } from '../events';
import { findDestinationType } from './index';
import { POSTHOG_US_HOST, PostHogConfig, posthog } from './posthog';
import { type DeliveryPayload, secretFieldsOf } from './types';

const config = PostHogConfig.parse({ apiKey: 'phc_project_key' });
const MESSAGE_ID = '0b6c1f9e-3a57-4c8e-9d21-6f0e2a4b7c13';

function stored(fields: Record<string, unknown>): StoredEvent {
  return StoredEvent.parse({
    messageId: MESSAGE_ID,
    receivedAt: '2026-11-26T10:00:01.000Z',
    timestamp: '2026-11-26T10:00:00.000Z',
    anonymousId: 'anon-1',
    userId: 'user-1',
    context: {
      ip: '203.0.113.9',
      locale: 'de-DE',
      page: { url: 'https://shop.example/cart', path: '/cart' },
    },
    ...fields,
  });
}

function bodyOf(event: StoredEvent, c = config): Record<string, unknown> {
  const result = posthog.transform(event, c);
  if (!result.ok) throw new Error(result.reason);
  expect(result.payloads).toHaveLength(1);
  return result.payloads[0]?.body as Record<string, unknown>;
}

const context = {
  $lib: 'keel',
  $ip: '203.0.113.9',
  $current_url: 'https://shop.example/cart',
  $pathname: '/cart',
  $locale: 'de-DE',
};
const common = { distinct_id: 'user-1', timestamp: '2026-11-26T10:00:00.000Z', uuid: MESSAGE_ID };

describe('posthog transform', () => {
  it('is registered in the catalog', () => {
    expect(findDestinationType('posthog')?.title).toBe('PostHog');
  });

  it('maps a track event to a /batch/ event; the project key goes into the request body', () => {
    const result = posthog.transform(
      stored({ type: 'track', event: 'Added to Cart', properties: { sku: 'A1' } }),
      config,
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.payloads).toEqual([
      {
        method: 'POST',
        url: 'https://us.i.posthog.com/batch/',
        headers: { 'content-type': 'application/json' },
        body: { event: 'Added to Cart', ...common, properties: { ...context, sku: 'A1' } },
      },
    ]);
    const request = posthog.toRequest(result.payloads, config);
    expect(request.url).toBe(`${POSTHOG_US_HOST}/batch/`);
    expect(JSON.parse(request.body ?? '')).toEqual({
      api_key: 'phc_project_key',
      batch: [result.payloads[0]?.body],
    });
  });

  it('maps identify to $identify with $set and the anonymous id to merge', () => {
    expect(bodyOf(stored({ type: 'identify', traits: { email: 'a@example.com' } }))).toEqual({
      event: '$identify',
      ...common,
      properties: { ...context, $set: { email: 'a@example.com' }, $anon_distinct_id: 'anon-1' },
    });
    const anonymous = bodyOf(stored({ type: 'identify', userId: null, traits: { a: 1 } }));
    expect(anonymous.distinct_id).toBe('anon-1');
    expect(anonymous.properties).not.toHaveProperty('$anon_distinct_id');
  });

  it('maps page to $pageview and screen to $screen', () => {
    expect(
      bodyOf(stored({ type: 'page', name: 'Cart', properties: { url: 'https://shop.example/cart?x=1' } })),
    ).toEqual({
      event: '$pageview',
      ...common,
      properties: {
        ...context,
        url: 'https://shop.example/cart?x=1',
        $current_url: 'https://shop.example/cart?x=1',
        name: 'Cart',
      },
    });
    const screen = bodyOf(stored({ type: 'screen', name: 'Checkout', properties: { step: 2 } }));
    expect(screen.event).toBe('$screen');
    expect(screen.properties).toMatchObject({ $screen_name: 'Checkout', step: 2 });
  });

  it('maps group to $groupidentify and alias to $create_alias', () => {
    expect(
      bodyOf(stored({ type: 'group', groupId: 'acme', traits: { name: 'Acme', groupType: 'org' } })),
    ).toEqual({
      event: '$groupidentify',
      ...common,
      properties: { ...context, $group_type: 'org', $group_key: 'acme', $group_set: { name: 'Acme' } },
    });
    expect(
      (bodyOf(stored({ type: 'group', groupId: 'acme' })).properties as Record<string, unknown>).$group_type,
    ).toBe('company');
    expect(bodyOf(stored({ type: 'alias', previousId: 'old-1' }))).toEqual({
      event: '$create_alias',
      ...common,
      properties: { ...context, distinct_id: 'user-1', alias: 'old-1' },
    });
  });

  it('sends uuid only for UUID message ids, and batches several events', () => {
    expect(bodyOf(stored({ type: 'track', event: 'E', messageId: 'not-a-uuid' }))).not.toHaveProperty('uuid');
    const payloads = ['a', 'b'].flatMap((e) => {
      const r = posthog.transform(stored({ type: 'track', event: e }), config);
      return r.ok ? r.payloads : [];
    });
    const body = JSON.parse(posthog.toRequest(payloads as DeliveryPayload[], config).body ?? '');
    expect(body.batch.map((b: { event: string }) => b.event)).toEqual(['a', 'b']);
  });

  it('uses a self-hosted host and drops events without a user', () => {
    const c = PostHogConfig.parse({ apiKey: 'phc_x', host: 'https://posthog.internal.example/' });
    const result = posthog.transform(stored({ type: 'track', event: 'E' }), c);
    expect(result.ok && result.payloads[0]?.url).toBe('https://posthog.internal.example/batch/');
    expect(
      posthog.transform(stored({ type: 'track', event: 'E', userId: null, anonymousId: null }), config),
    ).toEqual({
      ok: false,
      reason: 'PostHog needs a userId or an anonymousId as the distinct_id.',
    });
  });
});

describe('posthog config', () => {
  const errors = (input: unknown) =>
    PostHogConfig.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('names the field of each mistake, and refuses a personal API key', () => {
    expect(errors({})).toEqual([['apiKey', "enter your PostHog project's API key (it starts with phc_)"]]);
    expect(errors({ apiKey: 'phx_personal' })).toEqual([
      [
        'apiKey',
        'this is a personal API key, which can read your data; use the project API key (phc_…) instead',
      ],
    ]);
    expect(errors({ apiKey: 'phc_x', host: 'posthog.example' })).toEqual([
      ['host', `enter a full URL such as ${POSTHOG_US_HOST}`],
    ]);
    expect(errors({ apiKey: 'phc_x', maxBatchSize: 0 })).toEqual([
      ['maxBatchSize', 'send at least 1 event per request'],
    ]);
  });

  it('has no secret fields: the project key is public by PostHog’s design', () => {
    expect(secretFieldsOf(PostHogConfig)).toEqual([]);
  });
});
