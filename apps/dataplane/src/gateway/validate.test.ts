import { Event } from '@keel/shared';
import { describe, expect, it } from 'vitest';
import { checkEvent } from './validate';

/** A small deterministic PRNG, so a failing case can be reproduced from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const VALUES: unknown[] = [
  undefined,
  null,
  '',
  'x',
  0,
  7,
  true,
  {},
  { a: 1 },
  [],
  ['x'],
  'ajs-next-1-uuid',
  'nul\u0000inside',
];
const FIELDS = [
  'type',
  'messageId',
  'userId',
  'anonymousId',
  'context',
  'integrations',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
  'channel',
  'event',
  'properties',
  'traits',
  'name',
  'category',
  'groupId',
  'previousId',
];
const TYPES: unknown[] = ['track', 'identify', 'page', 'screen', 'group', 'alias', 'fly', 5, undefined];

const VALID: Record<string, unknown>[] = [
  { type: 'track', event: 'E', userId: 'u', properties: {} },
  { type: 'identify', anonymousId: 'a', traits: { x: 1 } },
  { type: 'page', userId: 7, name: 'Home', category: null },
  { type: 'screen', anonymousId: 'a', name: null },
  { type: 'group', userId: 'u', groupId: 3 },
  { type: 'alias', previousId: 'p', userId: 'u' },
];

function generate(next: () => number): unknown {
  if (next() < 0.03) return VALUES[Math.floor(next() * VALUES.length)];
  if (next() < 0.5) {
    // A valid event with one field changed, to probe each rule's edge.
    const event = { ...VALID[Math.floor(next() * VALID.length)] };
    if (next() < 0.7)
      event[FIELDS[Math.floor(next() * FIELDS.length)] as string] =
        VALUES[Math.floor(next() * VALUES.length)];
    return event;
  }
  const event: Record<string, unknown> = { type: TYPES[Math.floor(next() * TYPES.length)] };
  for (const field of FIELDS.slice(1)) {
    if (next() < 0.35) event[field] = VALUES[Math.floor(next() * VALUES.length)];
  }
  if (next() < 0.5) event.userId = 'u1';
  if (next() < 0.2) event.messageId = 'm'.repeat(next() < 0.5 ? 256 : 257);
  if (next() < 0.1) event.extra = { kept: true };
  return event;
}

describe('checkEvent', () => {
  it('accepts and rejects exactly what the Event schema does, and normalises like it', () => {
    const next = random(20261126);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const candidate = generate(next);
      const copy = structuredClone(candidate);
      const expected = Event.safeParse(candidate);
      const actual = checkEvent(copy);
      expect(actual.ok, JSON.stringify(candidate)).toBe(expected.success);
      if (actual.ok && expected.success) {
        accepted++;
        expect(JSON.parse(JSON.stringify(actual.event))).toEqual(JSON.parse(JSON.stringify(expected.data)));
      }
    }
    // Both outcomes are exercised in quantity.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(19_500);
  });

  it('gives reasons a person can act on', () => {
    expect(checkEvent({ type: 'track', userId: 'u' })).toEqual({
      ok: false,
      reason: 'a track event needs an event name (event)',
    });
    expect(checkEvent({ type: 'group', userId: 'u' })).toEqual({
      ok: false,
      reason: 'groupId must be a string or a number',
    });
    expect(checkEvent({ type: 'alias', previousId: 'p' })).toMatchObject({ ok: true });
  });
});
