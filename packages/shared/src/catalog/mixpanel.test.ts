import { describe, expect, it } from 'vitest';
import { StoredEvent } from '../events';
import { findDestinationType } from './index';
import { credentialProblem, insertIdOf, MIXPANEL_HOSTS, MixpanelConfig, mixpanel } from './mixpanel';
import { type DeliveryPayload, secretFieldsOf } from './types';

const config = MixpanelConfig.parse({ projectToken: 'tok123' });

function stored(fields: Record<string, unknown>): StoredEvent {
  return StoredEvent.parse({
    messageId: 'msg-1',
    receivedAt: '2026-11-26T10:00:01.000Z',
    timestamp: '2026-11-26T10:00:00.000Z',
    anonymousId: 'anon-1',
    userId: 'user-1',
    context: {
      ip: '203.0.113.9',
      os: { name: 'Android', version: '14' },
      page: { url: 'https://shop.example/p' },
    },
    ...fields,
  });
}

function payloadsOf(event: StoredEvent, c = config): DeliveryPayload[] {
  const result = mixpanel.transform(event, c);
  if (!result.ok) throw new Error(result.reason);
  return result.payloads;
}

const base = {
  time: Date.parse('2026-11-26T10:00:00.000Z'),
  distinct_id: 'user-1',
  $insert_id: 'msg-1',
  $device_id: 'anon-1',
  $user_id: 'user-1',
  ip: '203.0.113.9',
  $current_url: 'https://shop.example/p',
  $os: 'Android',
  $os_version: '14',
  mp_lib: 'keel',
};
const headers = { 'content-type': 'application/json', accept: 'application/json' };

describe('mixpanel transform', () => {
  it('is registered in the catalog', () => {
    expect(findDestinationType('mixpanel')?.title).toBe('Mixpanel');
  });

  it('imports a track event with distinct_id, time in ms and $insert_id; the token authenticates when nothing else is set', () => {
    const payloads = payloadsOf(stored({ type: 'track', event: 'Signed Up', properties: { plan: 'pro' } }));
    expect(payloads).toEqual([
      {
        method: 'POST',
        url: 'https://api.mixpanel.com/import?strict=1',
        headers,
        body: { event: 'Signed Up', properties: { plan: 'pro', ...base } },
      },
    ]);
    const request = mixpanel.toRequest(payloads, config);
    expect(JSON.parse(request.body ?? '')).toEqual([payloads[0]?.body]);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('tok123:').toString('base64')}`);
  });

  it('authenticates imports with a service account and project id, keeping the secret out of the stored payload', () => {
    const c = MixpanelConfig.parse({
      projectToken: 'tok123',
      serviceAccountUsername: 'keel.sa',
      serviceAccountSecret: 'sa-secret',
      projectId: '31337',
      residency: 'EU',
    });
    const payloads = payloadsOf(stored({ type: 'track', event: 'E' }), c);
    expect(payloads[0]?.url).toBe('https://api-eu.mixpanel.com/import?strict=1&project_id=31337');
    expect(JSON.stringify(payloads)).not.toContain('sa-secret');
    const request = mixpanel.toRequest(payloads, c);
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from('keel.sa:sa-secret').toString('base64')}`,
    );
    const legacy = MixpanelConfig.parse({ projectToken: 'tok123', apiSecret: 'api-secret', residency: 'IN' });
    const legacyPayloads = payloadsOf(stored({ type: 'track', event: 'E' }), legacy);
    expect(legacyPayloads[0]?.url.startsWith(MIXPANEL_HOSTS.IN)).toBe(true);
    expect(mixpanel.toRequest(legacyPayloads, legacy).headers.authorization).toBe(
      `Basic ${Buffer.from('api-secret:').toString('base64')}`,
    );
  });

  it('maps identify to an /engage $set with reserved names, and links the anonymous id with $identify', () => {
    const payloads = payloadsOf(
      stored({ type: 'identify', traits: { email: 'a@example.com', firstName: 'Ada', tier: 'gold' } }),
    );
    expect(payloads[0]).toEqual({
      method: 'POST',
      url: 'https://api.mixpanel.com/engage?strict=1&verbose=1',
      headers,
      body: {
        $token: 'tok123',
        $distinct_id: 'user-1',
        $ip: '203.0.113.9',
        $set: { $email: 'a@example.com', $first_name: 'Ada', tier: 'gold' },
      },
    });
    expect(payloads[1]?.body).toEqual({
      event: '$identify',
      properties: { ...base, $identified_id: 'user-1', $anon_id: 'anon-1' },
    });
    // An engage request carries no Authorization header: the token in the body authenticates it.
    expect(
      mixpanel.toRequest([payloads[0] as DeliveryPayload], config).headers.authorization,
    ).toBeUndefined();
    // Anonymous only: just the profile update.
    expect(payloadsOf(stored({ type: 'identify', userId: null, traits: { a: 1 } }))).toHaveLength(1);
  });

  it('maps page and screen to Loaded a Page / Loaded a Screen', () => {
    const page = payloadsOf(
      stored({ type: 'page', name: 'Home', category: 'Marketing', properties: { path: '/' } }),
    );
    expect(page[0]?.body).toEqual({
      event: 'Loaded a Page',
      properties: { path: '/', name: 'Home', category: 'Marketing', ...base },
    });
    const screen = payloadsOf(stored({ type: 'screen', name: 'Cart' }));
    expect((screen[0]?.body as { event?: string } | undefined)?.event).toBe('Loaded a Screen');
  });

  it('maps group to a group profile $set and the user’s group key', () => {
    const payloads = payloadsOf(stored({ type: 'group', groupId: 'acme', traits: { seats: 5 } }));
    expect(payloads.map((p) => [p.url, p.body])).toEqual([
      [
        'https://api.mixpanel.com/groups?strict=1&verbose=1',
        { $token: 'tok123', $group_key: 'company_id', $group_id: 'acme', $set: { seats: 5 } },
      ],
      [
        'https://api.mixpanel.com/engage?strict=1&verbose=1',
        { $token: 'tok123', $distinct_id: 'user-1', $union: { company_id: ['acme'] } },
      ],
    ]);
  });

  it('maps alias to a $merge import', () => {
    const [payload] = payloadsOf(stored({ type: 'alias', previousId: 'old-1' }));
    expect(payload?.body).toEqual({
      event: '$merge',
      properties: { ...base, $distinct_ids: ['user-1', 'old-1'] },
    });
  });

  it('keeps message ids Mixpanel accepts as $insert_id and digests the others, stably', () => {
    expect(insertIdOf('5f1c2a9e-0d4b-4c6e-9a7b-1f2e3d4c5b6a')).toBe('5f1c2a9e-0d4b-4c6e-9a7b-1f2e3d4c5b6a');
    const long = 'keel-test-msg_01JD0000000000000000000000';
    expect(insertIdOf(long)).toMatch(/^[0-9a-f]{32}$/);
    expect(insertIdOf(long)).toBe(insertIdOf(long));
    expect(insertIdOf(long)).not.toBe(insertIdOf(`${long}x`));
  });

  it('drops events without a user', () => {
    const result = mixpanel.transform(
      stored({ type: 'track', event: 'E', userId: null, anonymousId: null }),
      config,
    );
    expect(result).toEqual({ ok: false, reason: 'Mixpanel needs a userId or an anonymousId.' });
  });
});

describe('mixpanel config', () => {
  const errors = (input: unknown) =>
    MixpanelConfig.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('names the field of each mistake', () => {
    expect(errors({})).toEqual([['projectToken', "enter your Mixpanel project's token"]]);
    expect(errors({ projectToken: 't', projectId: '12a' })).toEqual([
      ['projectId', 'the project id is a number, as in Project Settings'],
    ]);
    expect(errors({ projectToken: 't', maxBatchSize: 2001 })).toEqual([
      ['maxBatchSize', 'Mixpanel accepts at most 2000 records per request'],
    ]);
  });

  it('drops events, saying what to complete, while a service account lacks its secret or project id', () => {
    const partial = MixpanelConfig.parse({ projectToken: 't', serviceAccountUsername: 'sa' });
    const reason =
      "The Mixpanel service account also needs its service account secret and project id; complete the destination's settings.";
    expect(credentialProblem(partial)).toBe(reason);
    expect(mixpanel.transform(stored({ type: 'track', event: 'E' }), partial)).toEqual({ ok: false, reason });
    expect(credentialProblem({ ...partial, serviceAccountSecret: 's', projectId: '1' })).toBeUndefined();
  });

  it('marks the service account secret and the API secret as secret', () => {
    expect(secretFieldsOf(MixpanelConfig)).toEqual(['serviceAccountSecret', 'apiSecret']);
  });
});
