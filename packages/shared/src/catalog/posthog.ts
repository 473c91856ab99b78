import { z } from 'zod';
import type { StoredEvent } from '../events';
import { ANALYTICS_MESSAGE_TYPES, batchedDelivery, batchSizeField, batchWaitField } from './batching';
import {
  compact,
  eventTimeIso,
  isRecord,
  type JsonRecord,
  recordAt,
  stringAt,
  trimSlash,
} from './event-fields';
import type { DeliveryPayload, DeliveryRequest, DestinationType, TransformResult } from './types';
import { field } from './types';

/** PostHog Cloud's ingestion hosts; self-hosted instances use their own. */
export const POSTHOG_US_HOST = 'https://us.i.posthog.com';
export const POSTHOG_EU_HOST = 'https://eu.i.posthog.com';

export const POSTHOG_MAX_EVENTS = 1_000;

const KEY_NEEDED = "enter your PostHog project's API key (it starts with phc_)";

export const PostHogConfig = z.object({
  apiKey: field(
    z
      .string({ error: KEY_NEEDED })
      .trim()
      .min(1, KEY_NEEDED)
      .refine(
        (key) => !key.startsWith('phx_'),
        'this is a personal API key, which can read your data; use the project API key (phc_…) instead',
      ),
    {
      label: 'Project API key',
      // Not a secret: PostHog designs the project key to be public (it is in every web page
      // that loads posthog-js) and it can only write events.
      help: 'Found in PostHog under Project settings. It can only send events, so PostHog lets web pages show it.',
      placeholder: 'phc_…',
    },
  ),
  host: field(
    z
      .string()
      .url({ error: `enter a full URL such as ${POSTHOG_US_HOST}`, abort: true })
      .refine((u) => /^https?:/i.test(u), 'the host must start with http:// or https://')
      .default(POSTHOG_US_HOST),
    {
      label: 'PostHog host',
      help: `US Cloud is ${POSTHOG_US_HOST}, EU Cloud ${POSTHOG_EU_HOST}; self-hosted instances use their own address.`,
      placeholder: POSTHOG_US_HOST,
      widget: 'url',
    },
  ),
  groupType: field(z.string().trim().min(1, 'enter a group type such as company').default('company'), {
    label: 'Group type',
    help: 'The PostHog group type that group calls set, unless their traits name one as groupType.',
  }),
  maxBatchSize: batchSizeField({
    max: POSTHOG_MAX_EVENTS,
    tooMany: `send at most ${POSTHOG_MAX_EVENTS} events per request`,
    defaultSize: 100,
    unit: 'event',
  }),
  maxBatchWaitMs: batchWaitField(),
});
export type PostHogConfig = z.infer<typeof PostHogConfig>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostHog's own names for the context it understands. */
function contextProperties(event: StoredEvent): JsonRecord {
  const context = event.context;
  return compact({
    $lib: 'keel',
    $ip: stringAt(context, 'ip') ?? stringAt(event, 'request_ip'),
    $current_url: stringAt(context, 'page.url'),
    $pathname: stringAt(context, 'page.path'),
    $referrer: stringAt(context, 'page.referrer'),
    $os: stringAt(context, 'os.name'),
    $os_version: stringAt(context, 'os.version'),
    $device_manufacturer: stringAt(context, 'device.manufacturer'),
    $device_model: stringAt(context, 'device.model'),
    $app_version: stringAt(context, 'app.version'),
    $locale: stringAt(context, 'locale'),
    $raw_user_agent: stringAt(context, 'userAgent'),
    $session_id: stringAt(context, 'sessionId'),
  });
}

function specific(
  event: StoredEvent,
  config: PostHogConfig,
): { event: string; properties: JsonRecord } | string {
  const properties = recordAt(event, 'properties');
  const name = stringAt(event, 'name');
  switch (event.type) {
    case 'track':
      return { event: stringAt(event, 'event') ?? 'Unnamed Event', properties };
    case 'page':
      return {
        event: '$pageview',
        properties: compact({
          ...properties,
          $current_url: stringAt(properties, 'url') ?? stringAt(event.context, 'page.url'),
          title: stringAt(properties, 'title') ?? stringAt(event.context, 'page.title'),
          name,
          category: stringAt(event, 'category'),
        }),
      };
    case 'screen':
      return { event: '$screen', properties: compact({ ...properties, $screen_name: name }) };
    case 'identify':
      return {
        event: '$identify',
        properties: compact({
          $set: { ...recordAt(event, 'context.traits'), ...recordAt(event, 'traits') },
          // Merges the anonymous person into the identified one.
          $anon_distinct_id: stringAt(event, 'userId') ? stringAt(event, 'anonymousId') : undefined,
        }),
      };
    case 'group': {
      const groupKey = stringAt(event, 'groupId');
      if (!groupKey) return 'A group call needs a groupId for PostHog.';
      const { groupType, ...traits } = recordAt(event, 'traits');
      return {
        event: '$groupidentify',
        properties: {
          $group_type: typeof groupType === 'string' && groupType ? groupType : config.groupType,
          $group_key: groupKey,
          $group_set: traits,
        },
      };
    }
    case 'alias': {
      const userId = stringAt(event, 'userId');
      const previousId = stringAt(event, 'previousId');
      if (!userId || !previousId) return 'An alias needs both userId and previousId for PostHog.';
      return { event: '$create_alias', properties: { distinct_id: userId, alias: previousId } };
    }
  }
}

function transform(event: StoredEvent, config: PostHogConfig): TransformResult {
  const distinctId = stringAt(event, 'userId') ?? stringAt(event, 'anonymousId');
  if (!distinctId)
    return { ok: false, reason: 'PostHog needs a userId or an anonymousId as the distinct_id.' };
  const mapped = specific(event, config);
  if (typeof mapped === 'string') return { ok: false, reason: mapped };
  const body = compact({
    event: mapped.event,
    distinct_id: distinctId,
    properties: { ...contextProperties(event), ...mapped.properties },
    timestamp: eventTimeIso(event),
    // PostHog deduplicates on uuid, so a retried event is stored once.
    uuid: UUID.test(event.messageId) ? event.messageId.toLowerCase() : undefined,
  });
  return {
    ok: true,
    payloads: [
      {
        method: 'POST',
        url: `${trimSlash(config.host)}/batch/`,
        headers: { 'content-type': 'application/json' },
        body,
      },
    ],
  };
}

function toRequest(payloads: DeliveryPayload[], config: PostHogConfig): DeliveryRequest {
  const first = payloads[0];
  if (!first) throw new Error('toRequest needs at least one payload');
  return {
    method: 'POST',
    url: first.url,
    headers: first.headers,
    body: JSON.stringify({ api_key: config.apiKey, batch: payloads.map((p) => p.body).filter(isRecord) }),
  };
}

export const posthog: DestinationType<typeof PostHogConfig> = {
  id: 'posthog',
  title: 'PostHog',
  description: 'Product analytics, cloud or self-hosted: events, pageviews, persons, groups and aliases.',
  category: 'analytics',
  configSchema: PostHogConfig,
  supportedMessageTypes: ANALYTICS_MESSAGE_TYPES,
  supportsTestConnection: true,
  delivery: batchedDelivery,
  transform,
  toRequest,
};
