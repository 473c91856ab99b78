import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';

/**
 * How long a synchronous loop may run before it lets pending I/O in. Gateway, processor and
 * router share one event loop: a processor batch of 2,000 events or a router page of 8,000
 * jobs handled in one go held every gateway answer and commit for 10–20 ms, which, with clients
 * that wait for each answer, capped the gateway's intake. A fixed count of items per turn
 * (250) yielded eight times per processor batch even once its events no longer needed parsing,
 * and each yield let other work in: the batch took 44 ms of wall time for a few of CPU, on the
 * pipeline's critical path.
 */
export const TURN_MS = 3;

/** Items between two looks at the clock. */
const ITEMS_PER_LOOK = 32;

/** Tells a long loop when its turn is over, and lets pending I/O run then. */
export class LoopTurn {
  private started = performance.now();
  private items = 0;

  /** Counts one item; true once the loop has run for `TURN_MS`. */
  over(): boolean {
    this.items += 1;
    return this.items % ITEMS_PER_LOOK === 0 && performance.now() - this.started >= TURN_MS;
  }

  /** Lets pending I/O callbacks run, then starts a new turn. */
  async yield(): Promise<void> {
    await setImmediate();
    this.started = performance.now();
  }
}
