import { createHash } from 'node:crypto';
import type { TransformationMetadata } from '@keel/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { TransformationSandbox } from './sandbox';

const sandbox = new TransformationSandbox({ cpuTimeLimitMs: 500, wallTimeLimitMs: 2000, maxLogEntries: 5 });
afterAll(() => sandbox.close());

function event(i: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'track',
    event: `Event ${i}`,
    messageId: `m-${i}`,
    userId: `u-${i}`,
    receivedAt: '2026-11-26T00:00:00.000Z',
    ...extra,
  };
}
function meta(i: number): TransformationMetadata {
  return {
    sourceId: 'src_1',
    sourceName: 'Web',
    destinationId: 'dst_1',
    destinationType: 'webhook',
    messageId: `m-${i}`,
  };
}
async function run(code: string, events: unknown[] = [event(0)], allowFetch = false) {
  return sandbox.run(
    { code, allowFetch },
    events,
    events.map((_e, i) => meta(i)),
  );
}

describe('the transformation contract', () => {
  it('replaces an event with the returned object', async () => {
    const result = await run(
      'export function transformEvent(e) { e.event = e.event.toUpperCase(); e.added = 1; return e; }',
    );
    expect(result.outcomes).toEqual([
      { kind: 'events', events: [{ ...event(0), event: 'EVENT 0', added: 1 }] },
    ]);
  });

  it('fans out an array, and drops on null, undefined and an empty array', async () => {
    const code = `export function transformEvent(e) {
      if (e.messageId === 'm-0') return [{ ...e, n: 1 }, { ...e, n: 2 }];
      if (e.messageId === 'm-1') return null;
      if (e.messageId === 'm-2') return undefined;
      return [];
    }`;
    const result = await run(code, [event(0), event(1), event(2), event(3)]);
    expect(result.outcomes[0]).toEqual({
      kind: 'events',
      events: [
        { ...event(0), n: 1 },
        { ...event(0), n: 2 },
      ],
    });
    expect(result.outcomes.slice(1)).toEqual([{ kind: 'dropped' }, { kind: 'dropped' }, { kind: 'dropped' }]);
  });

  it('fails only the event that throws, with its message, also for thrown non-Errors', async () => {
    const code = `export function transformEvent(e) {
      if (e.messageId === 'm-0') throw new Error('missing email');
      if (e.messageId === 'm-1') throw 'plain string';
      if (e.messageId === 'm-2') throw { code: 42 };
      return e;
    }`;
    const result = await run(code, [event(0), event(1), event(2), event(3)]);
    expect(result.outcomes).toEqual([
      { kind: 'failed', error: 'missing email' },
      { kind: 'failed', error: 'plain string' },
      { kind: 'failed', error: 'threw {"code":42}' },
      { kind: 'events', events: [event(3)] },
    ]);
  });

  it('supports async transformEvent', async () => {
    const code = `export async function transformEvent(e) { await null; const v = await Promise.resolve(7); return { ...e, v }; }`;
    const result = await run(code);
    expect(result.outcomes).toEqual([{ kind: 'events', events: [{ ...event(0), v: 7 }] }]);
  });

  it('gives metadata(event) for the event, in transformEvent and transformBatch', async () => {
    const one = await run(
      'export function transformEvent(e, metadata) { return { ...e, meta: metadata(e) }; }',
      [event(0), event(1)],
    );
    expect(one.outcomes[1]).toEqual({ kind: 'events', events: [{ ...event(1), meta: meta(1) }] });
    const batch = await run(
      'export function transformBatch(events, metadata) { return events.map((e) => ({ ...e, meta: metadata(e) })); }',
      [event(0), event(1)],
    );
    expect(batch.outcomes[1]).toEqual({ kind: 'events', events: [{ ...event(1), meta: meta(1) }] });
  });

  it('gives per-event metadata when events of a batch come from different sources', async () => {
    const events = [event(0), event(1)];
    const metadata = [meta(0), { ...meta(1), sourceId: 'src_2', sourceName: 'App' }];
    const result = await sandbox.run(
      {
        code: 'export function transformEvent(e, metadata) { return { ...e, meta: metadata(e) }; }',
        allowFetch: false,
      },
      events,
      metadata,
    );
    expect(result.outcomes.map((o) => (o.kind === 'events' ? o.events[0]?.meta : o))).toEqual(metadata);
  });

  it('maps transformBatch outputs back to inputs by messageId; inputs without output are dropped', async () => {
    const code = `export async function transformBatch(events) {
      const out = [];
      for (const e of events) {
        if (e.messageId === 'm-1') continue;
        out.push({ ...e, copy: 1 });
        if (e.messageId === 'm-2') out.push({ ...e, copy: 2 });
      }
      return out;
    }`;
    const result = await run(code, [event(0), event(1), event(2)]);
    expect(result.outcomes).toEqual([
      { kind: 'events', events: [{ ...event(0), copy: 1 }] },
      { kind: 'dropped' },
      {
        kind: 'events',
        events: [
          { ...event(2), copy: 1 },
          { ...event(2), copy: 2 },
        ],
      },
    ]);
    const thrown = await run('export function transformBatch() { throw new Error("batch broke"); }', [
      event(0),
      event(1),
    ]);
    expect(thrown.outcomes).toEqual([
      { kind: 'failed', error: 'batch broke' },
      { kind: 'failed', error: 'batch broke' },
    ]);
  });

  it('captures log and console.* per event, up to the limit', async () => {
    const code = `export function transformEvent(e) { log('seen', e.messageId, { n: 1 }); console.warn('careful'); return e; }`;
    const result = await run(code, [event(0), event(1), event(2)]);
    expect(result.logs.slice(0, 3)).toEqual([
      { index: 0, level: 'log', message: 'seen m-0 {"n":1}' },
      { index: 0, level: 'warn', message: 'careful' },
      { index: 1, level: 'log', message: 'seen m-1 {"n":1}' },
    ]);
    expect(result.logs).toHaveLength(5);
    expect(result.logsDropped).toBe(1);
    expect(result.durationsMs).toHaveLength(3);
  });

  it('offers sha256, equal to Node crypto for ASCII, Unicode and long input', async () => {
    const inputs = ['', 'abc', 'jane@example.com', 'zoë 😀 日本', 'x'.repeat(1000), '\ud800'];
    const code = `export function transformEvent(e) { return { ...e, hashes: e.inputs.map((s) => sha256(s)) }; }`;
    const result = await run(code, [event(0, { inputs })]);
    const expected = inputs.map((s) => createHash('sha256').update(s).digest('hex'));
    expect(result.outcomes[0]).toMatchObject({ kind: 'events', events: [{ hashes: expected }] });
  });

  it('reports code that does not compile or defines no transform function', async () => {
    const syntax = await run('export function transformEvent(e) { return e');
    expect(syntax.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/does not compile: SyntaxError/),
    });
    const none = await run('export function somethingElse(e) { return e; }');
    expect(none.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/define export function transformEvent/),
    });
    const imports = await run('import fs from "fs"; export function transformEvent(e) { return e; }');
    expect(imports.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/import "fs" is not available/),
    });
  });

  it('checks code without running it', async () => {
    expect(
      await sandbox.check({ code: 'export function transformEvent(e) { return e; }', allowFetch: false }),
    ).toBeNull();
    expect(await sandbox.check({ code: 'export function transformEvent(e) {', allowFetch: false })).toMatch(
      /does not compile: SyntaxError/,
    );
    expect(await sandbox.check({ code: 'export const x = 1;', allowFetch: false })).toMatch(
      /define export function/,
    );
  });

  it('reuses one isolate per code, keeping state between batches', async () => {
    const code = 'let seen = 0; export function transformEvent(e) { seen++; return { ...e, seen }; }';
    await run(code);
    const second = await run(code);
    expect(second.outcomes[0]).toMatchObject({ kind: 'events', events: [{ seen: 2 }] });
  });
});

describe('hostile code', () => {
  const healthy = 'export function transformEvent(e) { return { ...e, ok: true }; }';
  async function expectStillServing() {
    const result = await run(healthy);
    expect(result.outcomes[0]).toMatchObject({ kind: 'events', events: [{ ok: true }] });
  }

  it('stops while(true){} at the CPU limit and resets the isolate', async () => {
    const started = Date.now();
    const result = await run('export function transformEvent(e) { while (true) {} }', [event(0), event(1)]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result.outcomes).toEqual([
      { kind: 'failed', error: expect.stringMatching(/ran longer than its 500 ms CPU limit/) },
      { kind: 'failed', error: expect.stringMatching(/ran longer than its 500 ms CPU limit/) },
    ]);
    await expectStillServing();
  });

  it('stops a loop at module top level and async code that loops between awaits', async () => {
    const top = await run('while (true) {} export function transformEvent(e) { return e; }');
    expect(top.outcomes[0]).toMatchObject({ kind: 'failed', error: expect.stringMatching(/CPU limit/) });
    const spinning = await run('export async function transformEvent(e) { for (;;) { await null; } }');
    expect(spinning.outcomes[0]).toMatchObject({ kind: 'failed', error: expect.stringMatching(/CPU limit/) });
    await expectStillServing();
  });

  it('fails a promise that never settles at the wall-time limit', async () => {
    const result = await run(
      'export async function transformEvent(e) { await new Promise(() => {}); return e; }',
    );
    // Fetch is off, so nothing could ever settle it: the CPU limit (500 ms) plus a second decides.
    expect(result.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/did not finish within 1500 ms/),
    });
    const withFetch = await run(
      'export async function transformEvent(e) { await new Promise(() => {}); return e; }',
      [event(0)],
      true,
    );
    expect(withFetch.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/did not finish within 2000 ms/),
    });
    await expectStillServing();
  });

  it('fails a batch whose fan-out is larger than the output limit', async () => {
    const small = new TransformationSandbox({ maxOutputChars: 1024 * 1024 });
    try {
      const result = await small.run(
        {
          code: 'export function transformEvent(e) { return Array.from({ length: 20000 }, (_, i) => ({ ...e, i })); }',
          allowFetch: false,
        },
        [event(0)],
        [meta(0)],
      );
      expect(result.outcomes[0]).toMatchObject({
        kind: 'failed',
        error: expect.stringMatching(/more than the 1 MB limit for one batch; fan out less/),
      });
    } finally {
      await small.close();
    }
  });

  it('fails deep recursion for that event only', async () => {
    const code = `function down(n) { return down(n + 1) + 1; }
      export function transformEvent(e) { if (e.messageId === 'm-0') down(0); return e; }`;
    const result = await run(code, [event(0), event(1)]);
    expect(result.outcomes[0]).toEqual({ kind: 'failed', error: 'Maximum call stack size exceeded' });
    expect(result.outcomes[1]).toEqual({ kind: 'events', events: [event(1)] });
  });

  it('disposes an isolate that grows past its memory limit, step by step', async () => {
    const roomy = new TransformationSandbox({ cpuTimeLimitMs: 20_000 });
    const run = (code: string) => roomy.run({ code, allowFetch: false }, [event(0)], [meta(0)]);
    const code =
      'export function transformEvent(e) { const keep = []; for (;;) keep.push("x".repeat(1e6) + Math.random()); }';
    const result = await run(code);
    expect(result.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/more than its 128 MB memory limit/),
    });
    const buffer = await run(
      'export function transformEvent(e) { return { ...e, n: new Uint8Array(1024 ** 3).length }; }',
    );
    expect(buffer.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/Array buffer allocation failed/),
    });
    await roomy.close();
    await expectStillServing();
  });

  it('refuses values that are not JSON: cycles, BigInt, functions, primitives; nested functions are left out', async () => {
    const code = `export function transformEvent(e) {
      switch (e.messageId) {
        case 'm-0': return { ...e, f() {}, s: Symbol('x') };
        case 'm-1': { const c = { ...e }; c.self = c; return c; }
        case 'm-2': return { ...e, big: 10n };
        case 'm-3': return () => e;
        case 'm-4': return 42;
        default: return [e, 'text'];
      }
    }`;
    const result = await run(
      code,
      [0, 1, 2, 3, 4, 5].map((i) => event(i)),
    );
    const errors = result.outcomes.map((o) => (o.kind === 'failed' ? o.error : o.kind));
    // As JSON itself does: a function or symbol inside an event is not data and does not leave.
    expect(result.outcomes[0]).toEqual({ kind: 'events', events: [event(0)] });
    expect(errors[1]).toMatch(/cannot leave the sandbox as JSON: .*circular/i);
    expect(errors[2]).toMatch(/cannot leave the sandbox as JSON: .*BigInt/);
    expect(errors[3]).toMatch(/returned a function/);
    expect(errors[4]).toMatch(/returned a number/);
    expect(errors[5]).toMatch(/returned a string inside its array/);
  });

  it('has no process, require, timers, or host objects to escape to', async () => {
    const code = `export function transformEvent(e) {
      const probes = {
        process: () => process.env,
        require: () => require('fs'),
        ctor: () => globalThis.constructor.constructor('return process')().env,
        fnCtor: () => Function('return this')().process.env,
        thisCtor: () => this.constructor.constructor('return process')(),
        setTimeout: () => setTimeout(() => {}, 1),
      };
      const found = {};
      for (const [name, probe] of Object.entries(probes)) {
        try { const v = probe(); found[name] = v === undefined ? 'undefined' : typeof v === 'object' && typeof v.then === 'function' ? 'promise' : 'reached'; }
        catch (err) { found[name] = err.name; }
      }
      found.globals = Object.getOwnPropertyNames(globalThis).filter((k) => /^(process|require|module|exports|Buffer|setTimeout|setInterval|setImmediate|__keel.*)$/.test(k));
      return { ...e, found };
    }`;
    const result = await run(code);
    expect(result.outcomes[0]).toMatchObject({
      kind: 'events',
      events: [
        {
          found: {
            process: 'ReferenceError',
            require: 'ReferenceError',
            ctor: 'ReferenceError',
            fnCtor: 'TypeError',
            thisCtor: 'TypeError',
            setTimeout: 'ReferenceError',
            globals: [],
          },
        },
      ],
    });
    const dynamicImport = await run(
      'export async function transformEvent(e) { await import("fs"); return e; }',
    );
    expect(dynamicImport.outcomes[0]).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/dynamic import\(\) is not available/),
    });
    await expectStillServing();
  });

  it('keeps one transformation’s globals away from another’s', async () => {
    await run('globalThis.secret = "workspace A"; export function transformEvent(e) { return e; }');
    const other = await run(
      'export function transformEvent(e) { return { ...e, seen: typeof globalThis.secret }; }',
    );
    expect(other.outcomes[0]).toMatchObject({ kind: 'events', events: [{ seen: 'undefined' }] });
  });

  it('has no fetch unless the workspace allows it', async () => {
    const result = await run('export function transformEvent(e) { return { ...e, f: typeof fetch }; }');
    expect(result.outcomes[0]).toMatchObject({ kind: 'events', events: [{ f: 'undefined' }] });
  });
});
