import { describe, expect, it } from 'vitest';
import { Enricher } from './enrich';

const receivedAt = new Date('2026-11-26T12:00:00.000Z');

function enrich(event: Record<string, unknown>, batchSentAt?: string) {
  return new Enricher({ receivedAt, requestIp: '198.51.100.4', batchSentAt }).enrich(event);
}

describe('Enricher', () => {
  it('corrects clock skew: timestamp = receivedAt − (sentAt − originalTimestamp)', () => {
    // The device clock is an hour fast; the event happened 5 s before it was sent.
    const event = enrich({
      originalTimestamp: '2026-11-26T13:00:00.000Z',
      sentAt: '2026-11-26T13:00:05.000Z',
    });
    expect(event.timestamp).toBe('2026-11-26T11:59:55.000Z');
    expect(event.receivedAt).toBe('2026-11-26T12:00:00.000Z');
    expect(event.request_ip).toBe('198.51.100.4');
  });

  it("uses the batch's sentAt for events without their own", () => {
    const event = enrich({ originalTimestamp: '2026-11-26T10:00:00.000Z' }, '2026-11-26T10:00:02.000Z');
    expect(event).toMatchObject({
      sentAt: '2026-11-26T10:00:02.000Z',
      timestamp: '2026-11-26T11:59:58.000Z',
    });
  });

  it('keeps a client timestamp, falls back to originalTimestamp, then to receivedAt', () => {
    expect(enrich({ timestamp: 'as sent', sentAt: '2026-11-26T10:00:00.000Z' }).timestamp).toBe('as sent');
    expect(enrich({ originalTimestamp: '2026-01-01T00:00:00.000Z' }).timestamp).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    // An unreadable originalTimestamp gives way to the gateway's own clock.
    expect(enrich({ originalTimestamp: 'not a date', sentAt: 'neither' }).timestamp).toBe(
      '2026-11-26T12:00:00.000Z',
    );
    expect(enrich({}).timestamp).toBe('2026-11-26T12:00:00.000Z');
    // A correction outside the range of a Date keeps the client's own time instead of throwing.
    const far = enrich({
      originalTimestamp: '-271821-04-20T00:00:00.000Z',
      sentAt: '+275760-09-13T00:00:00.000Z',
    });
    expect(far.timestamp).toBe('-271821-04-20T00:00:00.000Z');
  });

  it('adds a messageId only when missing, strips an embedded write key, and leaves context alone', () => {
    const context = { ip: '10.0.0.1', library: { name: 'analytics.js' } };
    const event = enrich({ messageId: 'ajs-next-1-x', writeKey: 'secret', context });
    expect(event.messageId).toBe('ajs-next-1-x');
    expect(event).not.toHaveProperty('writeKey');
    expect(event.context).toBe(context);
    expect(context).toEqual({ ip: '10.0.0.1', library: { name: 'analytics.js' } });
    expect(enrich({}).messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });
});
