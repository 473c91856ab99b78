import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TransformationMetadata } from '@keel/shared';
import { encodeBatch } from './batch-input';
import { resolveLimits, type SandboxLimits, type SandboxLimitsInput } from './limits';
import { parseOutput } from './output';
import {
  EMPTY_BATCH,
  failedRun,
  type TransformationProgram,
  type TransformationRun,
  type Transformer,
} from './types';

export type HostRequest = { id: number; program: TransformationProgram; input: string; count: number };
export type HostReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: TransformationRun }
  /** The runtime's JSON text for a batch that ran, parsed here. */
  | { type: 'output'; id: number; output: string }
  | { type: 'error'; id: number; error: string };

export interface SandboxPoolOptions {
  limits?: SandboxLimitsInput;
  /** Sandbox child processes; a transformation always runs in the same one, so its isolate stays warm. */
  processes?: number;
}

const ENTRY = fileURLToPath(new URL('./sandbox-host-entry.mjs', import.meta.url));
/** How long past the wall-time limit a child may stay silent before it is killed. */
const WATCHDOG_GRACE_MS = 5000;

/**
 * Runs transformations in child processes, each holding a `TransformationSandbox`. isolated-vm
 * stops most runaway code inside the isolate, but V8 aborts the whole process on some huge
 * single allocations (measured: `Array.from({ length: 2 ** 27 }, …)` under a 128 MB limit),
 * so no server runs isolates in its own process: a crash here costs one batch and a restart.
 * Each child runs one batch at a time, so a crash fails only the batch that caused it.
 */
export class SandboxPool implements Transformer {
  readonly limits: SandboxLimits;
  private readonly children: SandboxChild[];
  private closed = false;

  constructor(options: SandboxPoolOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.children = Array.from(
      { length: Math.max(1, options.processes ?? 1) },
      () => new SandboxChild(this.limits),
    );
  }

  /** Child processes started so far, including restarts (for tests and metrics). */
  get starts(): number {
    return this.children.reduce((sum, child) => sum + child.starts, 0);
  }

  async run(
    program: TransformationProgram,
    events: readonly unknown[],
    metadata: readonly TransformationMetadata[],
  ): Promise<TransformationRun> {
    if (this.closed) throw new Error('the transformation sandbox pool is closed');
    if (events.length !== metadata.length) {
      throw new Error(`${events.length} events but ${metadata.length} metadata entries; pass one per event`);
    }
    if (events.length === 0) return { outcomes: [], durationsMs: [], logs: [], logsDropped: 0, totalMs: 0 };
    const child = this.children[this.childIndex(program.code)]!;
    return child.submit(program, encodeBatch(events, metadata), events.length);
  }

  async check(program: TransformationProgram): Promise<string | null> {
    if (this.closed) throw new Error('the transformation sandbox pool is closed');
    const run = await this.children[this.childIndex(program.code)]!.submit(program, EMPTY_BATCH, 0);
    return run.error ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.children.map((child) => child.close()));
  }

  private childIndex(code: string): number {
    if (this.children.length === 1) return 0;
    return createHash('sha1').update(code).digest().readUInt32BE(0) % this.children.length;
  }
}

interface Job {
  id: number;
  program: TransformationProgram;
  input: string;
  count: number;
  started: number;
  /** The process the job was sent to; only its exit can fail the job. */
  sentTo?: ChildProcess;
  resolve: (run: TransformationRun) => void;
}

class SandboxChild {
  starts = 0;
  private process: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private nextId = 1;
  private closing = false;

  constructor(private readonly limits: SandboxLimits) {}

  submit(program: TransformationProgram, input: string, count: number): Promise<TransformationRun> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, program, input, count, started: performance.now(), resolve });
      void this.pump();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const child = this.process;
    this.process = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    const current = this.current;
    this.current = undefined;
    clearTimeout(this.watchdog);
    for (const job of [...(current ? [current] : []), ...this.queue.splice(0)]) {
      job.resolve(
        failedRun(job.count, 'the transformation sandbox was shut down', performance.now() - job.started),
      );
    }
  }

  private async pump(): Promise<void> {
    if (this.current || this.closing) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    try {
      const child = await this.started();
      this.watchdog = setTimeout(() => {
        this.forget(child);
        this.finish(
          job,
          failedRun(
            job.count,
            `the transformation's sandbox process stopped answering for ${this.limits.wallTimeLimitMs + WATCHDOG_GRACE_MS} ms and was restarted`,
            performance.now() - job.started,
          ),
        );
        child.kill('SIGKILL');
      }, this.limits.wallTimeLimitMs + WATCHDOG_GRACE_MS);
      const request: HostRequest = { id: job.id, program: job.program, input: job.input, count: job.count };
      job.sentTo = child;
      child.send(request);
    } catch (error) {
      this.finish(
        job,
        failedRun(
          job.count,
          `the transformation sandbox could not start: ${messageOf(error)}`,
          performance.now() - job.started,
        ),
      );
    }
  }

  private finish(job: Job, result: TransformationRun): void {
    if (this.current !== job) return;
    clearTimeout(this.watchdog);
    this.current = undefined;
    job.resolve(result);
    void this.pump();
  }

  private forget(child: ChildProcess): void {
    if (this.process !== child) return;
    this.process = undefined;
    this.ready = undefined;
  }

  private started(): Promise<ChildProcess> {
    const existing = this.process;
    if (existing && this.ready) return this.ready.then(() => existing);
    const child = fork(ENTRY, [JSON.stringify(this.limits)], {
      // An empty environment: the sandbox process needs no settings and must see no secrets.
      env: {} as NodeJS.ProcessEnv,
      execArgv: ['--no-node-snapshot'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.starts++;
    this.process = child;
    this.ready = new Promise<void>((resolve, reject) => {
      const onReply = (reply: HostReply) => {
        if (reply.type === 'ready') {
          resolve();
          return;
        }
        const job = this.current;
        if (!job || job.id !== reply.id) return;
        const totalMs = performance.now() - job.started;
        this.finish(
          job,
          reply.type === 'output'
            ? parseOutput(reply.output, job.count, totalMs)
            : reply.type === 'result'
              ? { ...reply.result, totalMs }
              : failedRun(job.count, `the transformation sandbox failed: ${reply.error}`, totalMs),
        );
      };
      child.on('message', onReply);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        reject(new Error(`the sandbox process exited during start (code ${code}, signal ${signal})`));
        this.forget(child);
        const job = this.current;
        if (job && job.sentTo === child && !this.closing) {
          this.finish(
            job,
            failedRun(
              job.count,
              `the transformation crashed its sandbox process (most likely by allocating far past its ${this.limits.memoryLimitMb} MB memory limit); the process was restarted`,
              performance.now() - job.started,
            ),
          );
        }
      });
    });
    return this.ready.then(() => child);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
