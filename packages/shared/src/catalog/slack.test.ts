import { describe, expect, it } from 'vitest';
import { StoredEvent } from '../events';
import { findDestinationType } from './index';
import { renderTemplate, SlackConfig, slack } from './slack';
import { secretFieldsOf } from './types';

const WEBHOOK = 'https://hooks.slack.com/services/T0001/B0002/SecretPart123';
const config = SlackConfig.parse({
  webhookUrl: WEBHOOK,
  eventTemplates: [
    { name: 'Order Completed', value: ':moneybag: {{userId}} paid {{properties.total}} for {{plan}}' },
  ],
});

function stored(fields: Record<string, unknown>): StoredEvent {
  return StoredEvent.parse({
    messageId: 'msg-1',
    receivedAt: '2026-11-26T10:00:01.000Z',
    userId: 'ada',
    anonymousId: 'anon-1',
    ...fields,
  });
}

describe('slack transform', () => {
  it('is registered in the catalog for track and identify only', () => {
    expect(findDestinationType('slack')?.supportedMessageTypes).toEqual(['track', 'identify']);
  });

  it('posts the event’s template as {text}; the webhook path (its secret) is only in the request', () => {
    const result = slack.transform(
      stored({ type: 'track', event: 'Order Completed', properties: { total: 42, plan: 'Pro' } }),
      config,
    );
    expect(result).toEqual({
      ok: true,
      payloads: [
        {
          method: 'POST',
          url: 'https://hooks.slack.com',
          headers: { 'content-type': 'application/json' },
          body: { text: ':moneybag: ada paid 42 for Pro' },
        },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('SecretPart123');
    const request = slack.toRequest(result.ok ? result.payloads : [], config);
    expect(request).toEqual({
      method: 'POST',
      url: WEBHOOK,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: ':moneybag: ada paid 42 for Pro' }),
    });
  });

  it('uses the default message for unlisted events, or drops them when only listed events are wanted', () => {
    const other = slack.transform(stored({ type: 'track', event: 'Signed Up' }), config);
    expect(other.ok && other.payloads[0]?.body).toEqual({ text: 'ada did Signed Up' });
    const strict = SlackConfig.parse({ webhookUrl: WEBHOOK, onlyListedEvents: true });
    expect(slack.transform(stored({ type: 'track', event: 'Signed Up' }), strict)).toEqual({
      ok: false,
      reason: 'No Slack message is set up for the event "Signed Up".',
    });
  });

  it('renders identify with its own template and traits', () => {
    const result = slack.transform(
      stored({ type: 'identify', traits: { email: 'ada@example.com' } }),
      config,
    );
    expect(result.ok && result.payloads[0]?.body).toEqual({ text: 'ada identified ada@example.com' });
  });

  it('escapes &, < and > in values but keeps the template’s own Slack formatting', () => {
    const event = stored({ type: 'track', event: 'Note', properties: { note: '<b>&co</b>' } });
    expect(renderTemplate('<https://app.example/u/{{userId}}|{{userId}}>: {{note}}', event)).toBe(
      '<https://app.example/u/ada|ada>: &lt;b&gt;&amp;co&lt;/b&gt;',
    );
    expect(
      renderTemplate(
        '{{missing}}|{{context.ip}}|{{properties}}',
        stored({ type: 'track', event: 'E', properties: { a: 1 } }),
      ),
    ).toBe('||{"a":1}');
  });

  it('drops a message that renders empty', () => {
    const c = SlackConfig.parse({ webhookUrl: WEBHOOK, defaultTrackTemplate: '{{properties.nothing}}' });
    expect(slack.transform(stored({ type: 'track', event: 'E' }), c)).toEqual({
      ok: false,
      reason: 'The Slack message came out empty for this event.',
    });
  });
});

describe('slack config', () => {
  const errors = (input: unknown) =>
    SlackConfig.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('names the field of each mistake', () => {
    const urlNeeded = 'enter the incoming webhook URL Slack gave you (https://hooks.slack.com/services/…)';
    expect(errors({})).toEqual([['webhookUrl', urlNeeded]]);
    expect(errors({ webhookUrl: 'hooks.slack.com/x' })).toEqual([['webhookUrl', urlNeeded]]);
    expect(errors({ webhookUrl: WEBHOOK, eventTemplates: [{ name: 'E', value: ' ' }] })).toEqual([
      ['eventTemplates.0.value', 'write the message for this event'],
    ]);
  });

  it('marks the webhook URL as the secret', () => {
    expect(secretFieldsOf(SlackConfig)).toEqual(['webhookUrl']);
    expect(slack.delivery(config).batching).toBeUndefined();
  });
});
