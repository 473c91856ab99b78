import { z } from 'zod';
import { EventType, type StoredEvent } from '../events';
import { type DeliveryPayload, type DestinationType, field, HttpMethod } from './types';

const Header = z.object({
  name: z
    .string()
    .min(1, 'a header needs a name')
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'),
  value: z.string(),
});

export const WebhookConfig = z.object({
  url: field(
    z
      .string()
      .url('enter a full URL such as https://example.com/hooks/keel')
      .refine((u) => /^https?:/i.test(u), 'the URL must start with http:// or https://'),
    {
      label: 'URL',
      help: 'Where events are sent. The path may use {{event}}, {{type}}, {{userId}} or {{anonymousId}}.',
      placeholder: 'https://example.com/hooks/keel',
      widget: 'url',
    },
  ),
  method: field(HttpMethod.default('POST'), { label: 'Method', widget: 'select' }),
  headers: field(z.array(Header).default([]), {
    label: 'Headers',
    help: 'Sent with every request.',
    widget: 'key-value',
  }),
  secretHeaderValue: field(z.string().optional(), {
    label: 'Authorization header',
    help: 'Sent as the Authorization header. Stored encrypted and never shown again.',
    secret: true,
    widget: 'password',
  }),
  batchingEnabled: field(z.boolean().default(false), {
    label: 'Batch events',
    help: 'Send several events in one request, as a JSON array.',
    widget: 'toggle',
  }),
  maxBatchSize: field(z.number().int().min(1).max(1000).default(100), {
    label: 'Events per batch',
    widget: 'number',
  }),
  maxBatchWaitMs: field(z.number().int().min(0).max(60_000).default(1000), {
    label: 'Longest wait for a batch (ms)',
    widget: 'number',
  }),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

const TEMPLATE = /\{\{\s*(event|type|userId|anonymousId)\s*\}\}/g;
/** The same pattern without `g`, whose `test` keeps no position between calls. */
const HAS_TEMPLATE = new RegExp(TEMPLATE.source);

function renderUrl(template: string, event: StoredEvent): string {
  return template.replace(TEMPLATE, (_, name: string) => {
    const value = (event as Record<string, unknown>)[name];
    return encodeURIComponent(typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  });
}

const headersByConfig = new WeakMap<WebhookConfig, Readonly<Record<string, string>>>();

/** The configured headers, built once per config and frozen: every payload shares the object. */
function headersOf(config: WebhookConfig): Record<string, string> {
  let headers = headersByConfig.get(config);
  if (!headers) {
    const built: Record<string, string> = { 'content-type': 'application/json' };
    for (const h of config.headers) built[h.name.toLowerCase()] = h.value;
    headers = Object.freeze(built);
    headersByConfig.set(config, headers);
  }
  return headers as Record<string, string>;
}

/** The payload's body as JSON text: as stored when the router has it, else serialised. */
function jsonOf(payload: DeliveryPayload): string | undefined {
  return payload.bodyJson ?? JSON.stringify(payload.body);
}

export const webhook: DestinationType<typeof WebhookConfig> = {
  id: 'webhook',
  title: 'Webhook',
  description: 'Send every event as JSON to an HTTP endpoint of your own.',
  category: 'webhook',
  configSchema: WebhookConfig,
  supportedMessageTypes: EventType.options,
  supportsTestConnection: true,
  delivery: (config) => ({
    concurrency: 16,
    timeoutMs: 10_000,
    batching: config.batchingEnabled
      ? { maxEvents: config.maxBatchSize, maxWaitMs: config.maxBatchWaitMs }
      : undefined,
  }),
  transform: (event, config) => ({
    ok: true,
    payloads: [
      { method: config.method, url: renderUrl(config.url, event), headers: headersOf(config), body: event },
    ],
  }),
  // Without a template in the URL, every event goes out as it is to the same place.
  passThrough: (config) =>
    HAS_TEMPLATE.test(config.url)
      ? undefined
      : { method: config.method, url: config.url, headers: headersOf(config) },
  toRequest: (payloads: DeliveryPayload[], config) => {
    const first = payloads[0];
    if (!first) throw new Error('toRequest needs at least one payload');
    // The secret joins only at send time, so stored jobs and failed events never hold it.
    const headers = config.secretHeaderValue
      ? { ...first.headers, authorization: config.secretHeaderValue }
      : first.headers;
    return {
      method: first.method,
      url: first.url,
      headers,
      body:
        first.method === 'GET'
          ? undefined
          : config.batchingEnabled
            ? `[${payloads.map((p) => jsonOf(p) ?? 'null').join(',')}]`
            : jsonOf(first),
    };
  },
};
