import { setImmediate } from 'node:timers/promises';

/**
 * Items a long synchronous loop handles between yields. Gateway, processor and router share one
 * event loop: a processor batch of 2,000 events or a router page of 8,000 jobs handled in one go
 * held every gateway answer and commit for 10–20 ms, which, with clients that wait for each
 * answer, capped the gateway's intake.
 */
export const ITEMS_PER_TURN = 250;

/** Lets pending I/O callbacks run before a long loop goes on. */
export function yieldToIo(): Promise<void> {
  return setImmediate();
}
