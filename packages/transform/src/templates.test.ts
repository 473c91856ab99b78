import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TransformationSandbox } from './sandbox';
import { transformationTemplates } from './templates';

const sandbox = new TransformationSandbox();
afterAll(() => sandbox.close());

function template(id: string): string {
  const found = transformationTemplates.find((t) => t.id === id);
  if (!found) throw new Error(`no template ${id}`);
  return found.code;
}
async function apply(id: string, events: Array<Record<string, unknown>>) {
  const metadata = events.map((_e, i) => ({
    sourceId: 's',
    sourceName: 'S',
    destinationId: 'd',
    destinationType: 'webhook',
    messageId: `m${i}`,
  }));
  const run = await sandbox.run({ code: template(id), allowFetch: false }, events, metadata);
  return run.outcomes.map((o) => (o.kind === 'events' ? o.events[0] : o.kind === 'failed' ? o.error : null));
}
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('built-in templates', () => {
  it('hash-pii hashes the listed fields, normalised, and leaves the rest', async () => {
    const [out] = await apply('hash-pii', [
      {
        type: 'identify',
        userId: 'u1',
        traits: { email: ' Jane@Example.com ', name: 'Jane' },
        context: { traits: {} },
      },
    ]);
    expect(out).toEqual({
      type: 'identify',
      userId: 'u1',
      traits: { email: sha('jane@example.com'), name: 'Jane' },
      context: { traits: {} },
    });
  });

  it('anonymise-ip zeroes the host part of IPv4 and IPv6 addresses', async () => {
    const out = await apply('anonymise-ip', [
      { type: 'track', event: 'x', context: { ip: '203.0.113.77' }, request_ip: '198.51.100.9' },
      { type: 'track', event: 'x', context: { ip: '2001:0db8:85a3:08d3:1319:8a2e:0370:7348' } },
      { type: 'track', event: 'x', context: { ip: '2001:db8::1' } },
    ]);
    expect(out[0]).toMatchObject({ context: { ip: '203.0.113.0' }, request_ip: '198.51.100.0' });
    expect(out[1]).toMatchObject({ context: { ip: '2001:db8:85a3::' } });
    expect(out[2]).toMatchObject({ context: { ip: '2001:db8:0::' } });
  });

  it('rename-events renames mapped track events only', async () => {
    const out = await apply('rename-events', [
      { type: 'track', event: 'Order Completed' },
      { type: 'track', event: 'Signed Up' },
      { type: 'page', name: 'Order Completed' },
    ]);
    expect(out).toEqual([
      { type: 'track', event: 'purchase' },
      { type: 'track', event: 'Signed Up' },
      { type: 'page', name: 'Order Completed' },
    ]);
  });

  it('sample-users keeps about the percentage of users, the same users every time, with all their events', async () => {
    const events = Array.from({ length: 2000 }, (_v, i) => ({
      type: 'track',
      event: 'e',
      userId: `user-${i}`,
    }));
    const first = await apply('sample-users', events);
    const kept = first.filter((o) => o !== null).length;
    expect(kept).toBeGreaterThan(140);
    expect(kept).toBeLessThan(260);
    const again = await apply('sample-users', events);
    expect(again).toEqual(first);
    const keptUser = events[first.findIndex((o) => o !== null)]!.userId;
    const sameUser = await apply('sample-users', [
      { type: 'page', userId: keptUser },
      { type: 'track', event: 'other', userId: keptUser },
    ]);
    expect(sameUser.every((o) => o !== null)).toBe(true);
  });

  it('drop-events drops test traffic and debug events', async () => {
    const out = await apply('drop-events', [
      { type: 'identify', traits: { email: 'qa@example.com' } },
      { type: 'track', event: 'debug_click' },
      { type: 'track', event: 'Signed Up', context: { traits: { email: 'jane@acme.io' } } },
    ]);
    expect(out).toEqual([
      null,
      null,
      { type: 'track', event: 'Signed Up', context: { traits: { email: 'jane@acme.io' } } },
    ]);
  });
});
