import { describe, expect, it } from 'vitest';
import { DeliveryDecoder, wholePayloadJson } from './stored-delivery';

const envelope = JSON.stringify({
  method: 'POST',
  url: 'https://hooks.example.com/in',
  headers: { 'content-type': 'application/json' },
});

describe('stored deliveries', () => {
  it('keeps the body as stored text and parses it only when read', () => {
    const decoder = new DeliveryDecoder();
    const delivery = decoder.decode(envelope, '{"type":"track","n":1.50}');
    expect(delivery).toMatchObject({ method: 'POST', url: 'https://hooks.example.com/in' });
    expect(delivery.bodyJson).toBe('{"type":"track","n":1.50}');
    expect(delivery.body).toEqual({ type: 'track', n: 1.5 });
    // Jobs sharing an envelope share its parse.
    expect(decoder.decode(envelope, '{}').headers).toBe(delivery.headers);
  });

  it('reads a payload that holds its body, as replays and older rows store it', () => {
    const whole = JSON.stringify({ ...JSON.parse(envelope), body: { type: 'identify' } });
    const delivery = new DeliveryDecoder().decode(whole, null);
    expect(delivery.body).toEqual({ type: 'identify' });
    expect(delivery.bodyJson).toBeUndefined();
  });

  it('joins envelope and body into the whole payload the failed-events store keeps', () => {
    const body = '{"type":"track","properties":{"a":"x\\\\y"}}';
    const joined = wholePayloadJson(envelope, body);
    expect(JSON.parse(joined)).toEqual({ ...JSON.parse(envelope), body: JSON.parse(body) });
    expect(wholePayloadJson(joined, null)).toBe(joined);
    expect(JSON.parse(wholePayloadJson('{}', '[1]'))).toEqual({ body: [1] });
  });
});
