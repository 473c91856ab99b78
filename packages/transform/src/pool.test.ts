import { afterAll, describe, expect, it } from 'vitest';
import { SandboxPool } from './pool';

// A roomy CPU limit: on a loaded machine the greedy code must reach its memory limit, not this one.
const pool = new SandboxPool({ limits: { cpuTimeLimitMs: 20_000 } });
afterAll(() => pool.close());

const meta = {
  sourceId: 's',
  sourceName: 'S',
  destinationId: 'd',
  destinationType: 'webhook',
  messageId: 'm1',
};
const event = { type: 'track', event: 'Signed Up', messageId: 'm1', userId: 'u1' };
const healthy = 'export function transformEvent(e) { return { ...e, event: e.event.toUpperCase() }; }';

describe('the sandbox process pool', () => {
  it('runs a transformation in a child process', async () => {
    const run = await pool.run({ code: healthy, allowFetch: false }, [event], [meta]);
    expect(run.outcomes).toEqual([{ kind: 'events', events: [{ ...event, event: 'SIGNED UP' }] }]);
    expect(run.totalMs).toBeGreaterThan(0);
  });

  it('survives code that allocates 1 GB at once: only that batch fails, the next one runs', async () => {
    const startsBefore = pool.starts;
    const greedy = [
      'export function transformEvent(e) { return { ...e, n: Array.from({ length: 2 ** 27 }, () => 1).length }; }',
      'export function transformEvent(e) { return { ...e, n: new Array(2 ** 30).fill(0).length }; }',
    ];
    for (const code of greedy) {
      const [crashed, neighbour] = await Promise.all([
        pool.run({ code, allowFetch: false }, [event], [meta]),
        pool.run({ code: healthy, allowFetch: false }, [event], [meta]),
      ]);
      expect(crashed.outcomes[0]).toMatchObject({
        kind: 'failed',
        error: expect.stringMatching(/memory limit/),
      });
      expect(neighbour.outcomes).toEqual([{ kind: 'events', events: [{ ...event, event: 'SIGNED UP' }] }]);
    }
    expect(pool.starts).toBeGreaterThan(startsBefore);
  });

  it('checks code in the child process', async () => {
    expect(await pool.check({ code: healthy, allowFetch: false })).toBeNull();
    expect(await pool.check({ code: 'export function transformEvent(', allowFetch: false })).toMatch(
      /does not compile/,
    );
  });

  it('stops while(true){} and keeps serving', async () => {
    const strict = new SandboxPool({ limits: { cpuTimeLimitMs: 1000 } });
    try {
      const looping = await strict.run(
        { code: 'export function transformEvent() { while (true) {} }', allowFetch: false },
        [event],
        [meta],
      );
      expect(looping.outcomes[0]).toMatchObject({
        kind: 'failed',
        error: expect.stringMatching(/1000 ms CPU limit/),
      });
      const after = await strict.run({ code: healthy, allowFetch: false }, [event], [meta]);
      expect(after.outcomes[0]).toMatchObject({ kind: 'events' });
    } finally {
      await strict.close();
    }
  });

  it('answers a batch still running when the pool closes', async () => {
    const closing = new SandboxPool({ limits: { cpuTimeLimitMs: 10_000 } });
    const running = closing.run(
      { code: 'export function transformEvent() { for (;;) {} }', allowFetch: false },
      [event],
      [meta],
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await closing.close();
    expect((await running).outcomes[0]).toMatchObject({
      kind: 'failed',
      error: 'the transformation sandbox was shut down',
    });
  });

  it('spreads transformations over several processes, each keeping its isolates warm', async () => {
    const wide = new SandboxPool({ processes: 2 });
    try {
      const codes = Array.from(
        { length: 6 },
        (_v, i) => `export function transformEvent(e) { return { ...e, n: ${i} }; }`,
      );
      const runs = await Promise.all(
        codes.map((code) => wide.run({ code, allowFetch: false }, [event], [meta])),
      );
      expect(runs.map((r) => r.outcomes[0])).toEqual(
        codes.map((_c, i) => ({ kind: 'events', events: [{ ...event, n: i }] })),
      );
      expect(wide.starts).toBe(2);
    } finally {
      await wide.close();
    }
  });
});
