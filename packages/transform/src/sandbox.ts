import { createHash } from 'node:crypto';
import type { TransformationMetadata } from '@keel/shared';
import ivm from 'isolated-vm';
import { AddressPolicy } from './address-policy';
import { encodeBatch } from './batch-input';
import { ISOLATE_RUNTIME } from './isolate-runtime';
import { resolveLimits, type SandboxLimits, type SandboxLimitsInput } from './limits';
import { malformed, parseOutput } from './output';
import { FetchRefused, safeFetch } from './safe-fetch';
import {
  EMPTY_BATCH,
  failedRun,
  type TransformationProgram,
  type TransformationRun,
  type Transformer,
} from './types';

interface Compiled {
  isolate: ivm.Isolate;
  context: ivm.Context;
  run: ivm.Reference<(input: string) => Promise<string>>;
  /** Batches on one isolate run one after another: the runtime keeps per-batch state. */
  tail: Promise<unknown>;
  busy: number;
}
type Entry = { ok: true; compiled: Compiled } | { ok: false; error: string };

/**
 * Runs transformations in isolated-vm isolates inside this process: one isolate per distinct
 * code (and fetch setting), cached and reused, disposed when it breaks a limit. V8 can still
 * abort the whole process on some huge single allocations, so production code runs this
 * inside `SandboxPool`'s child processes, never in a server's own process.
 */
export class TransformationSandbox implements Transformer {
  readonly limits: SandboxLimits;
  private readonly policy: AddressPolicy;
  private readonly cache = new Map<string, Promise<Entry>>();
  private closed = false;

  constructor(limits: SandboxLimitsInput = {}) {
    this.limits = resolveLimits(limits);
    this.policy = new AddressPolicy(this.limits.fetchAllowedCidrs);
  }

  get isolateCount(): number {
    return this.cache.size;
  }

  async run(
    program: TransformationProgram,
    events: readonly unknown[],
    metadata: readonly TransformationMetadata[],
  ): Promise<TransformationRun> {
    const started = performance.now();
    if (this.closed) throw new Error('the transformation sandbox is closed');
    if (events.length !== metadata.length) {
      throw new Error(`${events.length} events but ${metadata.length} metadata entries; pass one per event`);
    }
    if (events.length === 0) return { outcomes: [], durationsMs: [], logs: [], logsDropped: 0, totalMs: 0 };
    const input = encodeBatch(events, metadata);
    return this.runJson(program, input, events.length, started);
  }

  /** Runs a batch already serialised as `{"events":[…],"metadata":[…]}`. */
  async runJson(
    program: TransformationProgram,
    input: string,
    count: number,
    started = performance.now(),
  ): Promise<TransformationRun> {
    const result = await this.runRaw(program, input, count, started);
    return typeof result === 'string' ? parseOutput(result, count, performance.now() - started) : result;
  }

  /**
   * Like runJson, but a batch that ran answers with the runtime's JSON text, unparsed: the pool's
   * child processes pass it on as one string, which the parent parses faster than it could
   * deserialise the structured clone of the parsed result.
   */
  async runRaw(
    program: TransformationProgram,
    input: string,
    count: number,
    started = performance.now(),
  ): Promise<string | TransformationRun> {
    const key = cacheKey(program);
    const entry = await this.entryFor(key, program);
    if (!entry.ok) return failedRun(count, entry.error, performance.now() - started);
    const compiled = entry.compiled;
    compiled.busy++;
    const result = compiled.tail.then(() =>
      this.execute(key, compiled, program.allowFetch, input, count, started),
    );
    compiled.tail = result.catch(() => {});
    try {
      return await result;
    } finally {
      compiled.busy--;
    }
  }

  async check(program: TransformationProgram): Promise<string | null> {
    const run = await this.runJson(program, EMPTY_BATCH, 0);
    return run.error ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.cache.values()];
    this.cache.clear();
    for (const entry of await Promise.all(entries)) {
      if (entry.ok) dispose(entry.compiled.isolate);
    }
  }

  private async execute(
    key: string,
    compiled: Compiled,
    allowFetch: boolean,
    input: string,
    count: number,
    started: number,
  ): Promise<string | TransformationRun> {
    const { cpuTimeLimitMs, wallTimeLimitMs } = this.limits;
    // Without fetch nothing in the isolate waits on the outside world, so a batch still
    // pending after its CPU limit (and a second of slack) awaits a promise that never settles.
    const wallMs = allowFetch ? wallTimeLimitMs : Math.min(wallTimeLimitMs, cpuTimeLimitMs + 1000);
    if (compiled.isolate.isDisposed) {
      this.cache.delete(key);
      return failedRun(count, 'the transformation sandbox was reset; retry the batch', 0);
    }
    const cpuBefore = compiled.isolate.cpuTime;
    let timer: NodeJS.Timeout | undefined;
    const wallLimit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new WallTimeExceeded(wallMs)), wallMs);
    });
    const running = compiled.run.apply(undefined, [input], {
      timeout: cpuTimeLimitMs,
      result: { promise: true, copy: true },
    });
    running.catch(() => {});
    try {
      const output = await Promise.race([running, wallLimit]);
      const cpuMs = Number(compiled.isolate.cpuTime - cpuBefore) / 1e6;
      if (cpuMs > cpuTimeLimitMs) {
        this.evict(key, compiled);
        return failedRun(count, this.cpuMessage(), performance.now() - started);
      }
      if (typeof output !== 'string') return malformed(count, performance.now() - started);
      if (output.length > this.limits.maxOutputChars) {
        const mb = (chars: number) => `${Math.round(chars / 1024 / 1024)} MB`;
        return failedRun(
          count,
          `the transformation returned ${mb(output.length)} of events for ${count} inputs, more than the ${mb(this.limits.maxOutputChars)} limit for one batch; fan out less`,
          performance.now() - started,
        );
      }
      return output;
    } catch (error) {
      this.evict(key, compiled);
      return failedRun(count, this.describeFailure(error, compiled.isolate), performance.now() - started);
    } finally {
      clearTimeout(timer);
    }
  }

  private entryFor(key: string, program: TransformationProgram): Promise<Entry> {
    let entry = this.cache.get(key);
    if (entry) {
      // Map order is the LRU order: move this one to the end.
      this.cache.delete(key);
      this.cache.set(key, entry);
      return entry;
    }
    entry = this.compile(program);
    this.cache.set(key, entry);
    void this.trim();
    return entry;
  }

  private async trim(): Promise<void> {
    for (const [key, pending] of this.cache) {
      if (this.cache.size <= this.limits.maxIsolates) return;
      const entry = await pending;
      if (entry.ok && entry.compiled.busy > 0) continue;
      if (this.cache.get(key) !== pending) continue;
      this.cache.delete(key);
      if (entry.ok) dispose(entry.compiled.isolate);
    }
  }

  private evict(key: string, compiled: Compiled): void {
    const current = this.cache.get(key);
    if (current) {
      void current.then((entry) => {
        if (entry.ok && entry.compiled === compiled && this.cache.get(key) === current)
          this.cache.delete(key);
      });
    }
    dispose(compiled.isolate);
  }

  private async compile(program: TransformationProgram): Promise<Entry> {
    const { memoryLimitMb, cpuTimeLimitMs } = this.limits;
    const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
    try {
      const context = await isolate.createContext();
      await context.global.set(
        '__keelHost',
        new ivm.ExternalCopy({
          maxLogEntries: this.limits.maxLogEntries,
          maxLogEntryChars: this.limits.maxLogEntryChars,
          fetchMaxCallsPerBatch: this.limits.fetchMaxCallsPerBatch,
        }).copyInto(),
      );
      if (program.allowFetch) {
        await context.global.set(
          '__keelFetch',
          new ivm.Reference((request: string) => this.hostFetch(request)),
        );
      }
      const runtime = await isolate.compileScript(ISOLATE_RUNTIME, { filename: 'keel-runtime.js' });
      const bind = (await runtime.run(context, {
        reference: true,
        timeout: cpuTimeLimitMs,
      })) as ivm.Reference<(namespace: unknown) => unknown>;
      let module: ivm.Module;
      try {
        module = await isolate.compileModule(program.code, { filename: 'transformation.js' });
      } catch (error) {
        const name = error instanceof Error ? `${error.name}: ` : '';
        throw new CompileError(`the transformation code does not compile: ${name}${messageOf(error)}`);
      }
      await module.instantiate(context, (specifier) => {
        throw new CompileError(
          `import "${specifier}" is not available: transformations run without modules, require, files or network beyond fetch`,
        );
      });
      await module.evaluate({ timeout: cpuTimeLimitMs });
      const run = (await bind.apply(undefined, [module.namespace.derefInto()], {
        result: { reference: true },
        timeout: cpuTimeLimitMs,
      })) as ivm.Reference<(input: string) => Promise<string>>;
      return { ok: true, compiled: { isolate, context, run, tail: Promise.resolve(), busy: 0 } };
    } catch (error) {
      const message =
        error instanceof CompileError ? error.message : this.describeFailure(error, isolate, 'while loading');
      dispose(isolate);
      return { ok: false, error: message };
    }
  }

  private async hostFetch(request: string): Promise<string> {
    try {
      const parsed = JSON.parse(request) as {
        url: string;
        method?: string;
        headers?: Record<string, string>;
        body?: string;
      };
      const response = await safeFetch(parsed, {
        policy: this.policy,
        timeoutMs: this.limits.fetchTimeoutMs,
        maxResponseBytes: this.limits.fetchMaxResponseBytes,
      });
      return JSON.stringify(response);
    } catch (error) {
      return JSON.stringify({
        error: error instanceof FetchRefused ? error.message : `fetch failed: ${messageOf(error)}`,
      });
    }
  }

  private cpuMessage(): string {
    return `the transformation ran longer than its ${this.limits.cpuTimeLimitMs} ms CPU limit for one batch (an endless loop?); its sandbox was reset`;
  }

  private describeFailure(error: unknown, isolate: ivm.Isolate, phase = ''): string {
    const message = messageOf(error);
    const when = phase ? ` ${phase}` : '';
    if (error instanceof WallTimeExceeded) {
      return `the transformation did not finish within ${error.wallMs} ms${when} (a promise that never settles?); its sandbox was reset`;
    }
    if (/memory limit/i.test(message) || (isolate.isDisposed && /disposed/i.test(message))) {
      return `the transformation used more than its ${this.limits.memoryLimitMb} MB memory limit${when}; its sandbox was reset`;
    }
    if (/timed out/i.test(message)) return this.cpuMessage();
    if (message === 'Not supported') {
      return `the transformation failed${when}: dynamic import() is not available; transformations run without modules`;
    }
    return `the transformation failed${when}: ${message}`;
  }
}

class CompileError extends Error {}
class WallTimeExceeded extends Error {
  constructor(readonly wallMs: number) {
    super(`no result within ${wallMs} ms`);
  }
}

function cacheKey(program: TransformationProgram): string {
  return `${program.allowFetch ? 'f' : 'n'}:${createHash('sha256').update(program.code).digest('base64url')}`;
}

function dispose(isolate: ivm.Isolate): void {
  if (!isolate.isDisposed) isolate.dispose();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
