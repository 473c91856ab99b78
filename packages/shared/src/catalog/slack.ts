import { z } from 'zod';
import type { StoredEvent } from '../events';
import { isRecord, valueAt } from './event-fields';
import type { DeliveryPayload, DeliveryRequest, DestinationType, TransformResult } from './types';
import { field } from './types';

/** Where Slack's incoming webhooks live; each workspace app gets its own secret path under it. */
export const SLACK_WEBHOOK_HOST = 'https://hooks.slack.com';

const URL_NEEDED = `enter the incoming webhook URL Slack gave you (${SLACK_WEBHOOK_HOST}/services/…)`;

const EventTemplate = z.object({
  name: z.string().trim().min(1, 'name the event this message is for'),
  value: z.string().trim().min(1, 'write the message for this event'),
});

export const SlackConfig = z.object({
  webhookUrl: field(
    z
      .string({ error: URL_NEEDED })
      .url({ error: URL_NEEDED, abort: true })
      .refine(
        (u) => /^https?:/i.test(u),
        'the webhook URL must start with https:// (or http:// for a local test server)',
      ),
    {
      label: 'Incoming webhook URL',
      help: 'Create one in your Slack app under Incoming Webhooks. Anyone with it can post to the channel, so it is stored encrypted and never shown again.',
      placeholder: `${SLACK_WEBHOOK_HOST}/services/T000/B000/XXXX`,
      secret: true,
      widget: 'password',
    },
  ),
  eventTemplates: field(z.array(EventTemplate).default([]), {
    label: 'Message per event',
    help: 'Event name → message. Placeholders: {{event}}, {{userId}}, {{anonymousId}}, {{properties.plan}}, {{traits.email}}, or {{plan}} for a property or trait.',
    widget: 'key-value',
  }),
  defaultTrackTemplate: field(
    z
      .string()
      .trim()
      .min(1, 'write a message, or turn on "Only listed events"')
      .default('{{userId}} did {{event}}'),
    {
      label: 'Message for other events',
      help: 'Used for track events not listed above.',
      widget: 'textarea',
    },
  ),
  onlyListedEvents: field(z.boolean().default(false), {
    label: 'Only listed events',
    help: 'Post only the track events listed above; others are dropped.',
    widget: 'toggle',
  }),
  identifyTemplate: field(
    z
      .string()
      .trim()
      .min(1, 'write the message for identify calls')
      .default('{{userId}} identified {{traits.email}}'),
    {
      label: 'Message for identify calls',
      widget: 'textarea',
    },
  ),
});
export type SlackConfig = z.infer<typeof SlackConfig>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_$.-]+)\s*\}\}/g;

/** Slack's text format gives &, < and > meaning, so values from events are escaped. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Fills `{{path}}` placeholders from the event. A bare name is looked up on the event, then in
 * its properties, then in its traits; a missing value renders empty. The template's own text is
 * kept as written, so it may use Slack's formatting such as <https://…|links>.
 */
export function renderTemplate(template: string, event: StoredEvent): string {
  return template.replace(PLACEHOLDER, (_, path: string) => {
    const found =
      path.includes('.') || Object.hasOwn(event, path)
        ? valueAt(event, path)
        : (valueAt(event, `properties.${path}`) ??
          valueAt(event, `traits.${path}`) ??
          valueAt(event, `context.traits.${path}`));
    return escapeSlack(display(found));
  });
}

function templateFor(event: StoredEvent, config: SlackConfig): string | undefined {
  if (event.type === 'identify') return config.identifyTemplate;
  const name = typeof event.event === 'string' ? event.event : '';
  const listed = config.eventTemplates.find((t) => t.name === name);
  if (listed) return listed.value;
  return config.onlyListedEvents ? undefined : config.defaultTrackTemplate;
}

function transform(event: StoredEvent, config: SlackConfig): TransformResult {
  const template = templateFor(event, config);
  if (!template)
    return { ok: false, reason: `No Slack message is set up for the event "${display(event.event)}".` };
  const text = renderTemplate(template, event).trim();
  if (!text) return { ok: false, reason: 'The Slack message came out empty for this event.' };
  return {
    ok: true,
    payloads: [
      {
        method: 'POST',
        // Only the origin: the path of an incoming webhook is its secret, kept out of stored jobs.
        url: new URL(config.webhookUrl).origin,
        headers: { 'content-type': 'application/json' },
        body: { text },
      },
    ],
  };
}

function toRequest(payloads: DeliveryPayload[], config: SlackConfig): DeliveryRequest {
  const first = payloads[0];
  if (!first) throw new Error('toRequest needs at least one payload');
  if (!isRecord(first.body) || typeof first.body.text !== 'string') {
    throw new Error('A Slack payload needs a text; re-send the event.');
  }
  return {
    method: 'POST',
    url: config.webhookUrl,
    headers: first.headers,
    body: JSON.stringify({ text: first.body.text }),
  };
}

export const slack: DestinationType<typeof SlackConfig> = {
  id: 'slack',
  title: 'Slack',
  description: 'Post a message to a Slack channel for the events and sign-ups you care about.',
  category: 'messaging',
  configSchema: SlackConfig,
  supportedMessageTypes: ['track', 'identify'],
  supportsTestConnection: true,
  // One message per request, as incoming webhooks take; Slack allows about one a second.
  delivery: () => ({ concurrency: 2, timeoutMs: 10_000 }),
  transform,
  toRequest,
};
