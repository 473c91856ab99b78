import { describe, expect, it } from 'vitest';
import { MASKED, maskSecrets, redactRequest } from './redact';

describe('redactRequest', () => {
  it('masks secrets in the URL, headers and JSON body, in every encoding, and keeps the rest', () => {
    const secrets = ['key/with"quote', 'T000/B000/XXXX'];
    const shown = redactRequest(
      {
        method: 'POST',
        url: `https://hooks.example.com/services/${encodeURIComponent('T000/B000/XXXX')}?x=1`,
        headers: {
          authorization: 'Bearer anything',
          'x-api-key': 'key/with"quote',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ api_key: 'key/with"quote', events: [{ event: 'Signed Up' }] }),
      },
      secrets,
    );
    expect(shown).toEqual({
      method: 'POST',
      url: `https://hooks.example.com/services/${MASKED}?x=1`,
      headers: { authorization: MASKED, 'x-api-key': MASKED, 'content-type': 'application/json' },
      body: { api_key: MASKED, events: [{ event: 'Signed Up' }] },
    });
    expect(JSON.stringify(shown)).not.toMatch(/XXXX|quote/);
  });

  it('leaves text without secrets alone', () => {
    expect(maskSecrets('nothing to hide', ['s3cret'])).toBe('nothing to hide');
    expect(
      redactRequest({ method: 'GET', url: 'https://x.example.com', headers: {}, body: undefined }, []),
    ).toEqual({
      method: 'GET',
      url: 'https://x.example.com',
      headers: {},
      body: undefined,
    });
  });
});
