import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events';
import { WebhookConfig, webhook } from './webhook';

const event: StoredEvent = {
  type: 'track',
  event: 'Order Completed',
  userId: 'u 1',
  messageId: 'm1',
  receivedAt: '2026-11-26T10:00:00.000Z',
};

describe('webhook destination', () => {
  it('fills the URL template and keeps the secret header out of the stored payload', () => {
    const config = WebhookConfig.parse({
      url: 'https://hooks.example.com/events/{{event}}?u={{userId}}',
      headers: [{ name: 'X-Team', value: 'growth' }],
      secretHeaderValue: 'Bearer s3cret',
    });
    const result = webhook.transform(event, config);
    expect(result).toEqual({
      ok: true,
      payloads: [
        {
          method: 'POST',
          url: 'https://hooks.example.com/events/Order%20Completed?u=u%201',
          headers: { 'content-type': 'application/json', 'x-team': 'growth' },
          body: event,
        },
      ],
    });
    if (!result.ok) throw new Error('unreachable');
    expect(JSON.stringify(result.payloads)).not.toContain('s3cret');
    const request = webhook.toRequest(result.payloads, config);
    expect(request.headers.authorization).toBe('Bearer s3cret');
    expect(JSON.parse(request.body ?? '')).toEqual(event);
  });

  it('passes events through unchanged, with the envelope its transform gives, only without a URL template', () => {
    const plain = WebhookConfig.parse({
      url: 'https://hooks.example.com/events',
      method: 'PUT',
      headers: [{ name: 'X-Team', value: 'growth' }],
    });
    const result = webhook.transform(event, plain);
    if (!result.ok) throw new Error('unreachable');
    const { body, ...envelope } = result.payloads[0] ?? { body: undefined };
    expect(body).toBe(event);
    expect(webhook.passThrough?.(plain)).toEqual(envelope);
    const templated = WebhookConfig.parse({ url: 'https://hooks.example.com/events/{{ type }}' });
    expect(webhook.passThrough?.(templated)).toBeUndefined();
  });

  it('sends a JSON array when batching, and batches only as configured', () => {
    const config = WebhookConfig.parse({
      url: 'https://hooks.example.com/in',
      batchingEnabled: true,
      maxBatchSize: 50,
    });
    expect(webhook.delivery(config).batching).toEqual({ maxEvents: 50, maxWaitMs: 1000 });
    const payloads = [event, { ...event, messageId: 'm2' }].flatMap((e) => {
      const r = webhook.transform(e, config);
      return r.ok ? r.payloads : [];
    });
    expect(JSON.parse(webhook.toRequest(payloads, config).body ?? '')).toEqual([
      event,
      { ...event, messageId: 'm2' },
    ]);
    expect(webhook.delivery(WebhookConfig.parse({ url: 'https://x.example.com' })).batching).toBeUndefined();
  });

  it('splices bodies it has as JSON text, byte for byte, instead of serialising them again', () => {
    const stored = ['{"type":"track","messageId":"m1","n":1.50}', '{"type":"track","messageId":"m2"}'];
    const payloads = stored.map((bodyJson) => ({
      method: 'POST' as const,
      url: 'https://hooks.example.com/in',
      headers: { 'content-type': 'application/json' },
      // A body that could not be serialised: proves that bodyJson, not body, is sent.
      get body(): unknown {
        throw new Error('body was read');
      },
      bodyJson,
    }));
    const batched = WebhookConfig.parse({ url: 'https://hooks.example.com/in', batchingEnabled: true });
    expect(webhook.toRequest(payloads, batched).body).toBe(`[${stored.join(',')}]`);
    const single = WebhookConfig.parse({ url: 'https://hooks.example.com/in' });
    expect(webhook.toRequest(payloads.slice(0, 1), single).body).toBe(stored[0]);
  });

  it('names the field of an invalid config', () => {
    const result = WebhookConfig.safeParse({
      url: 'ftp://files.example.com',
      headers: [{ name: 'bad header', value: 'x' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['url', 'headers.0.name']);
  });
});
