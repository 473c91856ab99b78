import { useTestDatabase } from '@keel/postgres/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pipelineConfig,
  startPipelineApp,
  storeEvents,
  trackEvents,
  WebhookSink,
  waitFor,
  webhookDestination,
} from '../delivery/testing';

const db = useTestDatabase('router');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('router', () => {
  it('delivers every event once, in order per user', async () => {
    const sink = await new WebhookSink().start();
    cleanups.push(() => sink.close());
    const dp = await startPipelineApp({
      databaseUrl: db.url,
      config: pipelineConfig([webhookDestination('dst_a', `${sink.url}/hook`)]),
    });
    cleanups.push(() => dp.close());
    await storeEvents(db.pool, trackEvents(2_000, 50));
    await waitFor(() => sink.summary().unique === 2_000, 20_000, 'all deliveries');
    expect(sink.summary().duplicates).toBe(0);
    expect(sink.outOfOrderUsers()).toEqual([]);
  });
});
