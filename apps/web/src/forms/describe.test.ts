import { field, WebhookConfig } from '@keel/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeForm } from './describe';

describe('describeForm', () => {
  it('reads labels, help, widgets, defaults and secrecy from the webhook catalog schema', () => {
    const fields = describeForm(WebhookConfig);
    expect(fields.map((f) => f.name)).toEqual([
      'url',
      'method',
      'headers',
      'secretHeaderValue',
      'batchingEnabled',
      'maxBatchSize',
      'maxBatchWaitMs',
    ]);
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.url).toMatchObject({
      label: 'URL',
      widget: 'url',
      required: true,
      secret: false,
      placeholder: 'https://example.com/hooks/keel',
    });
    expect(byName.method).toMatchObject({
      widget: 'select',
      options: ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'],
      defaultValue: 'POST',
      required: false,
    });
    expect(byName.headers).toMatchObject({ widget: 'key-value', keyValueShape: 'array', defaultValue: [] });
    expect(byName.secretHeaderValue).toMatchObject({ widget: 'password', secret: true, required: false });
    expect(byName.batchingEnabled).toMatchObject({ widget: 'toggle', defaultValue: false });
    expect(byName.maxBatchSize).toMatchObject({
      widget: 'number',
      min: 1,
      max: 1000,
      integer: true,
      defaultValue: 100,
    });
  });

  it('infers widgets and labels when a field has no hints', () => {
    const schema = z.object({
      apiRegion: z.enum(['us', 'eu']),
      endpointUrl: z.string().url(),
      retries: z.number().min(0),
      sendPii: z.boolean().optional(),
      extraParams: z.record(z.string(), z.string()).default({}),
      apiKey: field(z.string().min(8), { label: 'API key', secret: true }),
      notes: z.string().optional(),
    });
    const fields = describeForm(schema);
    expect(fields.map((f) => [f.name, f.label, f.widget, f.required])).toEqual([
      ['apiRegion', 'Api region', 'select', true],
      ['endpointUrl', 'Endpoint url', 'url', true],
      ['retries', 'Retries', 'number', true],
      ['sendPii', 'Send pii', 'toggle', false],
      ['extraParams', 'Extra params', 'key-value', false],
      ['apiKey', 'API key', 'password', true],
      ['notes', 'Notes', 'text', false],
    ]);
    expect(fields.find((f) => f.name === 'extraParams')?.keyValueShape).toBe('record');
  });
});
