import { z } from 'zod';
import type { StoredEvent } from '../events';
import { ANALYTICS_MESSAGE_TYPES, batchedDelivery, batchSizeField, batchWaitField } from './batching';
import {
  compact,
  eventTimeMs,
  formEncode,
  isRecord,
  type JsonRecord,
  numberAt,
  recordAt,
  stringAt,
  trimSlash,
} from './event-fields';
import type { DeliveryPayload, DeliveryRequest, DestinationType, TransformResult } from './types';
import { field } from './types';

/** Amplitude's own ingestion hosts per data residency (HTTP V2, Group Identify and User Mapping APIs). */
export const AMPLITUDE_ENDPOINTS = {
  US: {
    events: 'https://api2.amplitude.com/2/httpapi',
    groups: 'https://api2.amplitude.com/groupidentify',
    userMap: 'https://api.amplitude.com/usermap',
  },
  EU: {
    events: 'https://api.eu.amplitude.com/2/httpapi',
    groups: 'https://api.eu.amplitude.com/groupidentify',
    userMap: 'https://api.eu.amplitude.com/usermap',
  },
} as const;

/** The HTTP V2 API takes at most 2,000 events per request; more is answered 413. */
export const AMPLITUDE_MAX_EVENTS = 2_000;

const API_KEY_NEEDED = "enter your Amplitude project's API key";

export const AmplitudeResidency = z.enum(['US', 'EU']);

export const AmplitudeConfig = z.object({
  apiKey: field(z.string({ error: API_KEY_NEEDED }).trim().min(1, API_KEY_NEEDED), {
    label: 'API key',
    help: 'Found in Amplitude under Settings → Projects. Stored encrypted and never shown again.',
    secret: true,
    widget: 'password',
  }),
  residency: field(AmplitudeResidency.default('US'), {
    label: 'Data residency',
    help: 'EU for projects hosted in Amplitude’s EU data center.',
    widget: 'select',
  }),
  apiHost: field(
    z
      .string()
      .url({
        error: 'enter a full URL such as https://amplitude-proxy.example.com, or leave it empty',
        abort: true,
      })
      .refine((u) => /^https?:/i.test(u), 'the host must start with http:// or https://')
      .optional(),
    {
      label: 'API host',
      help: "Leave empty to use Amplitude's own servers for the residency above; set it to send through a proxy.",
      placeholder: 'https://api2.amplitude.com',
      widget: 'url',
    },
  ),
  groupType: field(z.string().trim().min(1, 'enter a group type such as company').default('company'), {
    label: 'Group type',
    help: 'The Amplitude group type a group call sets, unless its traits name one as groupType.',
  }),
  minIdLength: field(z.number().int().min(1, 'the shortest id length is 1').max(5).optional(), {
    label: 'Shortest user or device id',
    help: 'Amplitude rejects ids shorter than 5 characters unless this is set lower.',
    widget: 'number',
  }),
  maxBatchSize: batchSizeField({
    max: AMPLITUDE_MAX_EVENTS,
    tooMany: `Amplitude accepts at most ${AMPLITUDE_MAX_EVENTS} events per request`,
    defaultSize: 100,
    unit: 'event',
    help: 'Up to 2,000 on Growth and Enterprise plans; Amplitude asks Starter plans for at most 10.',
  }),
  maxBatchWaitMs: batchWaitField(),
});
export type AmplitudeConfig = z.infer<typeof AmplitudeConfig>;

type Endpoints = { events: string; groups: string; userMap: string };

function endpointsOf(config: AmplitudeConfig): Endpoints {
  if (!config.apiHost) return AMPLITUDE_ENDPOINTS[config.residency];
  const host = trimSlash(config.apiHost);
  return { events: `${host}/2/httpapi`, groups: `${host}/groupidentify`, userMap: `${host}/usermap` };
}

/** The device, app and location fields Amplitude reads from each event, taken from the event's context. */
function contextFields(event: StoredEvent): JsonRecord {
  const context = event.context;
  return {
    platform: stringAt(context, 'device.type'),
    os_name: stringAt(context, 'os.name'),
    os_version: stringAt(context, 'os.version'),
    device_brand: stringAt(context, 'device.brand'),
    device_manufacturer: stringAt(context, 'device.manufacturer'),
    device_model: stringAt(context, 'device.model'),
    carrier: stringAt(context, 'network.carrier'),
    app_version: stringAt(context, 'app.version'),
    language: stringAt(context, 'locale'),
    country: stringAt(context, 'location.country'),
    region: stringAt(context, 'location.region'),
    city: stringAt(context, 'location.city'),
    location_lat: numberAt(context, 'location.latitude'),
    location_lng: numberAt(context, 'location.longitude'),
    ip: stringAt(context, 'ip') ?? stringAt(event, 'request_ip'),
    session_id: numberAt(context, 'sessionId'),
  };
}

/** Revenue fields of a track event (Amplitude's revenue verification reads these top-level). */
function revenueFields(properties: JsonRecord): JsonRecord {
  return {
    revenue: numberAt(properties, 'revenue'),
    price: numberAt(properties, 'price'),
    quantity: numberAt(properties, 'quantity'),
    productId: stringAt(properties, 'product_id') ?? stringAt(properties, 'productId'),
    revenueType: stringAt(properties, 'revenue_type') ?? stringAt(properties, 'revenueType'),
  };
}

function nonEmpty(record: JsonRecord): JsonRecord | undefined {
  return Object.keys(record).length > 0 ? record : undefined;
}

/** The event type and properties of a track, page or screen call. */
function eventTypeOf(event: StoredEvent): { type: string; properties: JsonRecord } {
  const properties = recordAt(event, 'properties');
  const name = stringAt(event, 'name');
  if (event.type === 'page') {
    return {
      type: name ? `Viewed ${name} Page` : 'Loaded a Page',
      properties: compact({
        ...recordAt(event, 'context.page'),
        ...properties,
        name,
        category: stringAt(event, 'category'),
      }),
    };
  }
  if (event.type === 'screen') {
    return {
      type: name ? `Viewed ${name} Screen` : 'Loaded a Screen',
      properties: compact({ ...properties, name }),
    };
  }
  return { type: stringAt(event, 'event') ?? 'Unnamed Event', properties };
}

function amplitudeEvent(event: StoredEvent, extra: JsonRecord): JsonRecord {
  return compact({
    user_id: stringAt(event, 'userId'),
    device_id: stringAt(event, 'anonymousId') ?? stringAt(event.context, 'device.id'),
    // Amplitude ignores a repeated insert_id within 7 days, so a retried request adds nothing twice.
    insert_id: event.messageId,
    time: eventTimeMs(event),
    library: 'keel',
    ...contextFields(event),
    ...extra,
  });
}

function groupTypeOf(event: StoredEvent, config: AmplitudeConfig): string {
  return stringAt(event, 'traits.groupType') ?? config.groupType;
}

function transform(event: StoredEvent, config: AmplitudeConfig): TransformResult {
  const urls = endpointsOf(config);
  const payload = (url: string, body: unknown): DeliveryPayload => ({
    method: 'POST',
    url,
    headers: {
      'content-type': url === urls.events ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body,
  });
  const userId = stringAt(event, 'userId');
  if (event.type === 'alias') {
    const previousId = stringAt(event, 'previousId');
    if (!userId || !previousId)
      return { ok: false, reason: 'An alias needs both userId and previousId for Amplitude.' };
    return { ok: true, payloads: [payload(urls.userMap, { user_id: previousId, global_user_id: userId })] };
  }
  if (!userId && !stringAt(event, 'anonymousId') && !stringAt(event.context, 'device.id')) {
    return { ok: false, reason: 'Amplitude needs a userId or an anonymousId (its device_id).' };
  }
  const contextTraits = recordAt(event, 'context.traits');
  if (event.type === 'identify') {
    const traits = { ...contextTraits, ...recordAt(event, 'traits') };
    const body = amplitudeEvent(event, { event_type: '$identify', user_properties: { $set: traits } });
    return { ok: true, payloads: [payload(urls.events, body)] };
  }
  if (event.type === 'group') {
    const groupId = stringAt(event, 'groupId');
    if (!groupId) return { ok: false, reason: 'A group call needs a groupId for Amplitude.' };
    const groupType = groupTypeOf(event, config);
    const body = amplitudeEvent(event, {
      event_type: '$identify',
      groups: { [groupType]: groupId },
      user_properties: { $set: { [groupType]: groupId } },
    });
    const payloads = [payload(urls.events, body)];
    const { groupType: _named, ...groupTraits } = recordAt(event, 'traits');
    if (Object.keys(groupTraits).length > 0) {
      payloads.push(
        payload(urls.groups, {
          group_type: groupType,
          group_value: groupId,
          group_properties: { $set: groupTraits },
        }),
      );
    }
    return { ok: true, payloads };
  }
  const { type, properties } = eventTypeOf(event);
  const body = amplitudeEvent(event, {
    event_type: type,
    event_properties: properties,
    user_properties: nonEmpty(contextTraits),
    ...(event.type === 'track' ? revenueFields(properties) : {}),
  });
  return { ok: true, payloads: [payload(urls.events, body)] };
}

function toRequest(payloads: DeliveryPayload[], config: AmplitudeConfig): DeliveryRequest {
  const first = payloads[0];
  if (!first) throw new Error('toRequest needs at least one payload');
  const bodies = payloads.map((p) => p.body).filter(isRecord);
  const path = new URL(first.url).pathname;
  // The API key is added here, at send time, so the stored jobs never hold it.
  let body: string;
  if (path.endsWith('/2/httpapi')) {
    body = JSON.stringify(
      compact({
        api_key: config.apiKey,
        events: bodies,
        options: config.minIdLength === undefined ? undefined : { min_id_length: config.minIdLength },
      }),
    );
  } else if (path.endsWith('/groupidentify')) {
    body = formEncode({ api_key: config.apiKey, identification: JSON.stringify(bodies) });
  } else if (path.endsWith('/usermap')) {
    body = formEncode({ api_key: config.apiKey, mapping: JSON.stringify(bodies) });
  } else {
    throw new Error(
      `${first.url} is not an Amplitude endpoint this destination knows; re-save the destination.`,
    );
  }
  return { method: 'POST', url: first.url, headers: first.headers, body };
}

export const amplitude: DestinationType<typeof AmplitudeConfig> = {
  id: 'amplitude',
  title: 'Amplitude',
  description: 'Product analytics: send events, user properties, groups and aliases to Amplitude.',
  category: 'analytics',
  configSchema: AmplitudeConfig,
  supportedMessageTypes: ANALYTICS_MESSAGE_TYPES,
  supportsTestConnection: true,
  delivery: batchedDelivery,
  transform,
  toRequest,
};
