import { describe, expect, it } from 'vitest';
import { eventLabelOf, MAX_EVENT_LABEL_LENGTH } from './events';

describe('eventLabelOf', () => {
  it('names a track event by its event name, page and screen by their names, others by their type', () => {
    expect(eventLabelOf({ type: 'track', event: 'Order Completed', userId: 'u3' })).toBe(
      'track · Order Completed',
    );
    expect(eventLabelOf({ type: 'page', name: 'Pricing' })).toBe('page · Pricing');
    expect(eventLabelOf({ type: 'screen', name: 'Home' })).toBe('screen · Home');
    expect(eventLabelOf({ type: 'page' })).toBe('page');
    expect(eventLabelOf({ type: 'screen', name: '' })).toBe('screen');
    expect(eventLabelOf({ type: 'identify', userId: 'u3', traits: { name: 'Ada' } })).toBe('identify');
    expect(eventLabelOf({ type: 'group', groupId: 'g1', name: 'not a page name' })).toBe('group');
    expect(eventLabelOf({ type: 'alias', previousId: 'old' })).toBe('alias');
  });

  it('gives null for what is not an event, and keeps a label storable and short', () => {
    expect(eventLabelOf(null)).toBeNull();
    expect(eventLabelOf('track')).toBeNull();
    expect(eventLabelOf({ event: 'No type' })).toBeNull();
    expect(eventLabelOf({ type: 7 })).toBeNull();
    // A name that is not a string is left out rather than shown as "[object Object]".
    expect(eventLabelOf({ type: 'track', event: { nested: true } })).toBe('track');
    expect(eventLabelOf({ type: 'track', event: 'a\u0000b' })).toBe('track · a\uFFFDb');
    const long = eventLabelOf({ type: 'track', event: 'x'.repeat(10_000) });
    expect(long).toHaveLength(MAX_EVENT_LABEL_LENGTH);
    expect(long?.startsWith('track · xxx')).toBe(true);
    expect(long?.endsWith('…')).toBe(true);
  });
});
