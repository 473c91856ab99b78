import { field, WebhookConfig } from '@keel/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeForm } from './describe';
import { initialState, toConfig } from './values';

const MASK = '••••••••';
const omit = { keptSecret: { kind: 'omit' } } as const;
const fields = describeForm(WebhookConfig);

describe('initialState', () => {
  it('starts a new form from the schema defaults', () => {
    const state = initialState(fields);
    expect(state.values).toEqual({
      url: '',
      method: 'POST',
      headers: [],
      secretHeaderValue: '',
      batchingEnabled: false,
      maxBatchSize: '100',
      maxBatchWaitMs: '1000',
    });
    expect(state.secretsSet).toEqual([]);
  });

  it('loads a stored config without ever holding the secret', () => {
    const state = initialState(fields, {
      url: 'https://hooks.example.com/in',
      method: 'PUT',
      headers: [{ name: 'X-Team', value: 'growth' }],
      secretHeaderValue: MASK,
      batchingEnabled: true,
      maxBatchSize: 50,
    });
    expect(state.values.secretHeaderValue).toBe('');
    expect(state.secretsSet).toEqual(['secretHeaderValue']);
    expect(state.values.headers).toEqual([{ key: 'X-Team', value: 'growth' }]);
    expect(state.values.maxBatchSize).toBe('50');
    expect(state.values.batchingEnabled).toBe(true);
  });
});

describe('toConfig', () => {
  it('converts and validates a complete form into the config the schema accepts', () => {
    const state = initialState(fields);
    state.values.url = ' https://hooks.example.com/in ';
    state.values.headers = [
      { key: 'X-Team', value: 'growth' },
      { key: '', value: '' },
    ];
    state.values.secretHeaderValue = 'Bearer s3cret';
    state.values.maxBatchSize = '25';
    const result = toConfig(WebhookConfig, fields, state, omit);
    expect(result).toEqual({
      ok: true,
      config: {
        url: 'https://hooks.example.com/in',
        method: 'POST',
        headers: [{ name: 'X-Team', value: 'growth' }],
        secretHeaderValue: 'Bearer s3cret',
        batchingEnabled: false,
        maxBatchSize: 25,
        maxBatchWaitMs: 1000,
      },
    });
  });

  it('gives the inline messages written in the catalog schema', () => {
    const state = initialState(fields);
    state.values.url = 'not a url';
    state.values.headers = [{ key: 'bad header', value: 'x' }];
    state.values.maxBatchSize = '5000';
    const result = toConfig(WebhookConfig, fields, state, omit);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.url).toBe('enter a full URL such as https://example.com/hooks/keel');
    expect(result.errors.headers).toBe('Row 1: not a valid header name');
    expect(result.errors.maxBatchSize).toMatch(/1000/);
  });

  it('says which required field is missing and rejects text in a number field', () => {
    const state = initialState(fields);
    state.values.maxBatchWaitMs = 'soon';
    const result = toConfig(WebhookConfig, fields, state, omit);
    expect(result).toEqual({
      ok: false,
      errors: { url: 'URL is required', maxBatchWaitMs: 'Longest wait for a batch (ms) must be a number' },
    });
  });

  it('keeps a stored secret when its field is left blank, as the mask or by omitting it', () => {
    const state = initialState(fields, { url: 'https://hooks.example.com/in', secretHeaderValue: MASK });
    const omitted = toConfig(WebhookConfig, fields, state, omit);
    expect(omitted.ok && 'secretHeaderValue' in omitted.config).toBe(false);
    const masked = toConfig(WebhookConfig, fields, state, { keptSecret: { kind: 'mask', mask: MASK } });
    expect(masked.ok && masked.config.secretHeaderValue).toBe(MASK);
    state.values.secretHeaderValue = 'Bearer new';
    const replaced = toConfig(WebhookConfig, fields, state, omit);
    expect(replaced.ok && replaced.config.secretHeaderValue).toBe('Bearer new');
  });

  it('requires a required secret only while none is stored, and validates records', () => {
    const schema = z.object({
      apiKey: field(z.string().min(8, 'an API key has at least 8 characters'), {
        label: 'API key',
        secret: true,
      }),
      tags: z.record(z.string(), z.string().min(1, 'a tag needs a value')),
    });
    const schemaFields = describeForm(schema);
    const fresh = initialState(schemaFields);
    fresh.values.tags = [{ key: 'team', value: '' }];
    expect(toConfig(schema, schemaFields, fresh, omit)).toEqual({
      ok: false,
      errors: { apiKey: 'API key is required', tags: 'a tag needs a value' },
    });
    const stored = initialState(schemaFields, { apiKey: MASK, tags: { team: 'growth' } });
    expect(toConfig(schema, schemaFields, stored, omit)).toEqual({
      ok: true,
      config: { tags: { team: 'growth' } },
    });
    stored.values.apiKey = 'short';
    expect(toConfig(schema, schemaFields, stored, omit)).toEqual({
      ok: false,
      errors: { apiKey: 'an API key has at least 8 characters' },
    });
  });
});
