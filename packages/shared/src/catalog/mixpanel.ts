import { z } from 'zod';
import type { StoredEvent } from '../events';
import { ANALYTICS_MESSAGE_TYPES, batchedDelivery, batchSizeField, batchWaitField } from './batching';
import {
  compact,
  eventTimeMs,
  isRecord,
  type JsonRecord,
  recordAt,
  stableDigest,
  stringAt,
  trimSlash,
} from './event-fields';
import type { DeliveryPayload, DeliveryRequest, DestinationType, TransformResult } from './types';
import { field } from './types';

/** Mixpanel's ingestion hosts per data residency. */
export const MIXPANEL_HOSTS = {
  US: 'https://api.mixpanel.com',
  EU: 'https://api-eu.mixpanel.com',
  IN: 'https://api-in.mixpanel.com',
} as const;

/** /import, /engage and /groups each take at most 2,000 records per request. */
export const MIXPANEL_MAX_RECORDS = 2_000;

export const MixpanelResidency = z.enum(['US', 'EU', 'IN']);

const TOKEN_NEEDED = "enter your Mixpanel project's token";

// No object-level refinement here: forms validate with `.omit()` of kept secrets, which zod
// refuses on refined objects. The service-account fields are checked together in `transform`.
export const MixpanelConfig = z.object({
  projectToken: field(z.string({ error: TOKEN_NEEDED }).trim().min(1, TOKEN_NEEDED), {
    label: 'Project token',
    help: 'Found in Mixpanel under Project Settings. Profile updates carry it; without other credentials it also authenticates imports.',
  }),
  serviceAccountUsername: field(z.string().trim().optional(), {
    label: 'Service account username',
    help: 'Recommended for imports: an Owner or Admin service account. Needs its secret and the project id.',
  }),
  serviceAccountSecret: field(z.string().optional(), {
    label: 'Service account secret',
    help: 'Stored encrypted and never shown again.',
    secret: true,
    widget: 'password',
  }),
  projectId: field(
    z.string().trim().regex(/^\d*$/, 'the project id is a number, as in Project Settings').optional(),
    {
      label: 'Project id',
      help: 'Needed with a service account.',
    },
  ),
  apiSecret: field(z.string().optional(), {
    label: 'Project API secret',
    help: 'The legacy alternative to a service account. Stored encrypted and never shown again.',
    secret: true,
    widget: 'password',
  }),
  residency: field(MixpanelResidency.default('US'), {
    label: 'Data residency',
    help: 'EU or IN for projects in Mixpanel’s EU or India data centers.',
    widget: 'select',
  }),
  apiHost: field(
    z
      .string()
      .url({
        error: 'enter a full URL such as https://mixpanel-proxy.example.com, or leave it empty',
        abort: true,
      })
      .refine((u) => /^https?:/i.test(u), 'the host must start with http:// or https://')
      .optional(),
    {
      label: 'API host',
      help: "Leave empty to use Mixpanel's own servers for the residency above; set it to send through a proxy.",
      placeholder: 'https://api.mixpanel.com',
      widget: 'url',
    },
  ),
  groupKey: field(z.string().trim().min(1, 'enter a group key such as company_id').default('company_id'), {
    label: 'Group key',
    help: 'The group key (set up in Mixpanel’s Group Analytics) that group calls use.',
  }),
  maxBatchSize: batchSizeField({
    max: MIXPANEL_MAX_RECORDS,
    tooMany: `Mixpanel accepts at most ${MIXPANEL_MAX_RECORDS} records per request`,
    defaultSize: 500,
    unit: 'record',
  }),
  maxBatchWaitMs: batchWaitField(),
});

export type MixpanelConfig = z.infer<typeof MixpanelConfig>;

function hostOf(config: MixpanelConfig): string {
  return trimSlash(config.apiHost || MIXPANEL_HOSTS[config.residency]);
}

function urlsOf(config: MixpanelConfig) {
  const host = hostOf(config);
  const projectId =
    config.serviceAccountUsername && config.projectId ? `&project_id=${config.projectId}` : '';
  return {
    // strict=1: Mixpanel validates each record and names the ones it rejects.
    import: `${host}/import?strict=1${projectId}`,
    engage: `${host}/engage?strict=1&verbose=1`,
    groups: `${host}/groups?strict=1&verbose=1`,
  };
}

/** Mixpanel's $insert_id is at most 36 letters, digits or dashes; longer message ids are digested. */
export function insertIdOf(messageId: string): string {
  return /^[A-Za-z0-9-]{1,36}$/.test(messageId) ? messageId : stableDigest(messageId);
}

const RESERVED_TRAITS: Record<string, string> = {
  email: '$email',
  name: '$name',
  firstName: '$first_name',
  first_name: '$first_name',
  lastName: '$last_name',
  last_name: '$last_name',
  phone: '$phone',
  avatar: '$avatar',
  createdAt: '$created',
  created_at: '$created',
};

/** Traits with Mixpanel's reserved profile property names where one exists. */
export function profileProperties(traits: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(traits)) out[RESERVED_TRAITS[key] ?? key] = value;
  return out;
}

function distinctIdOf(event: StoredEvent): string | undefined {
  return stringAt(event, 'userId') ?? stringAt(event, 'anonymousId');
}

/** Properties every imported event carries: identity, time, dedup id and device context. */
function baseProperties(event: StoredEvent): JsonRecord {
  const context = event.context;
  return compact({
    time: eventTimeMs(event),
    distinct_id: distinctIdOf(event),
    $insert_id: insertIdOf(event.messageId),
    // Simplified ID Merge links a device to a user through these two.
    $device_id: stringAt(event, 'anonymousId'),
    $user_id: stringAt(event, 'userId'),
    ip: stringAt(context, 'ip') ?? stringAt(event, 'request_ip'),
    $current_url: stringAt(context, 'page.url'),
    $referrer: stringAt(context, 'page.referrer'),
    $os: stringAt(context, 'os.name'),
    $os_version: stringAt(context, 'os.version'),
    $app_version_string: stringAt(context, 'app.version'),
    $manufacturer: stringAt(context, 'device.manufacturer'),
    $model: stringAt(context, 'device.model'),
    $carrier: stringAt(context, 'network.carrier'),
    mp_lib: 'keel',
  });
}

function eventNameOf(event: StoredEvent): { name: string; properties: JsonRecord } {
  const properties = recordAt(event, 'properties');
  switch (event.type) {
    case 'page':
      return {
        name: 'Loaded a Page',
        properties: compact({
          ...properties,
          name: stringAt(event, 'name'),
          category: stringAt(event, 'category'),
        }),
      };
    case 'screen':
      return {
        name: 'Loaded a Screen',
        properties: compact({ ...properties, name: stringAt(event, 'name') }),
      };
    default:
      return { name: stringAt(event, 'event') ?? 'Unnamed Event', properties };
  }
}

/** What is missing for the chosen import credentials, if anything. */
export function credentialProblem(config: MixpanelConfig): string | undefined {
  if (!config.serviceAccountUsername) return undefined;
  const missing = [
    config.serviceAccountSecret ? undefined : 'service account secret',
    config.projectId ? undefined : 'project id',
  ].filter((m): m is string => m !== undefined);
  return missing.length > 0
    ? `The Mixpanel service account also needs its ${missing.join(' and ')}; complete the destination's settings.`
    : undefined;
}

function transform(event: StoredEvent, config: MixpanelConfig): TransformResult {
  const problem = credentialProblem(config);
  if (problem) return { ok: false, reason: problem };
  const urls = urlsOf(config);
  const payload = (url: string, body: JsonRecord): DeliveryPayload => ({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const distinctId = distinctIdOf(event);
  const userId = stringAt(event, 'userId');
  const ip = stringAt(event.context, 'ip') ?? stringAt(event, 'request_ip');
  switch (event.type) {
    case 'alias': {
      const previousId = stringAt(event, 'previousId');
      if (!userId || !previousId)
        return { ok: false, reason: 'An alias needs both userId and previousId for Mixpanel.' };
      const properties = { ...baseProperties(event), $distinct_ids: [userId, previousId] };
      return { ok: true, payloads: [payload(urls.import, { event: '$merge', properties })] };
    }
    case 'identify': {
      if (!distinctId) return { ok: false, reason: 'Mixpanel needs a userId or an anonymousId.' };
      const traits = profileProperties({
        ...recordAt(event, 'context.traits'),
        ...recordAt(event, 'traits'),
      });
      const payloads = [
        payload(
          urls.engage,
          compact({ $token: config.projectToken, $distinct_id: distinctId, $ip: ip, $set: traits }),
        ),
      ];
      const anonymousId = stringAt(event, 'anonymousId');
      if (userId && anonymousId) {
        // Links the anonymous history to the user, under either ID Merge system.
        const properties = { ...baseProperties(event), $identified_id: userId, $anon_id: anonymousId };
        payloads.push(payload(urls.import, { event: '$identify', properties }));
      }
      return { ok: true, payloads };
    }
    case 'group': {
      const groupId = stringAt(event, 'groupId');
      if (!distinctId || !groupId)
        return { ok: false, reason: 'A group call needs a groupId and a user for Mixpanel.' };
      return {
        ok: true,
        payloads: [
          payload(urls.groups, {
            $token: config.projectToken,
            $group_key: config.groupKey,
            $group_id: groupId,
            $set: recordAt(event, 'traits'),
          }),
          payload(urls.engage, {
            $token: config.projectToken,
            $distinct_id: distinctId,
            $union: { [config.groupKey]: [groupId] },
          }),
        ],
      };
    }
    default: {
      if (!distinctId) return { ok: false, reason: 'Mixpanel needs a userId or an anonymousId.' };
      const { name, properties } = eventNameOf(event);
      return {
        ok: true,
        payloads: [
          payload(urls.import, { event: name, properties: { ...properties, ...baseProperties(event) } }),
        ],
      };
    }
  }
}

function basic(username: string, password: string): string {
  return `Basic ${btoa(`${username}:${password}`)}`;
}

/** /import authenticates with a service account, else the API secret, else the project token. */
function importAuthorization(config: MixpanelConfig): string {
  if (config.serviceAccountUsername && config.serviceAccountSecret) {
    return basic(config.serviceAccountUsername, config.serviceAccountSecret);
  }
  return basic(config.apiSecret || config.projectToken, '');
}

function toRequest(payloads: DeliveryPayload[], config: MixpanelConfig): DeliveryRequest {
  const first = payloads[0];
  if (!first) throw new Error('toRequest needs at least one payload');
  const isImport = new URL(first.url).pathname.endsWith('/import');
  // Credentials are added here, at send time, so the stored jobs never hold them.
  const headers = isImport ? { ...first.headers, authorization: importAuthorization(config) } : first.headers;
  return {
    method: 'POST',
    url: first.url,
    headers,
    body: JSON.stringify(payloads.map((p) => p.body).filter(isRecord)),
  };
}

export const mixpanel: DestinationType<typeof MixpanelConfig> = {
  id: 'mixpanel',
  title: 'Mixpanel',
  description: 'Product analytics: import events, and keep user and group profiles up to date in Mixpanel.',
  category: 'analytics',
  configSchema: MixpanelConfig,
  supportedMessageTypes: ANALYTICS_MESSAGE_TYPES,
  supportsTestConnection: true,
  delivery: batchedDelivery,
  transform,
  toRequest,
};
