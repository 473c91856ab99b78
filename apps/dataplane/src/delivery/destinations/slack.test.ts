import { describe, expect, it } from 'vitest';
import { pipelineConfig, storeEvents, waitFor } from '../testing';
import { useVendorHarness } from './harness';
import {
  gatewayJobs,
  type VendorReply,
  type VendorRequest,
  VendorServer,
  vendorDestination,
} from './vendor-server';

const { db, count, startVendor, startPipeline, waitForFailedEvents } = useVendorHarness('dest_slack');

const HOOK_PATH = '/services/T0KEEL01/B0KEEL02/WebhookSecret42';

/**
 * A Slack incoming webhook as Slack documents it: `POST` of JSON with a non-empty `text` to
 * the webhook's secret path, answered `200 ok`, or a plain-text error code with its status
 * (`400 no_text`, `404 no_service`, `410 channel_is_archived`, `429` with Retry-After).
 */
class FakeSlack {
  readonly messages: { text: string; at: number }[] = [];
  intercept: () => VendorReply | undefined = () => undefined;
  readonly server = new VendorServer((req) => this.answer(req));

  private answer(req: VendorRequest): VendorReply {
    if (req.method !== 'POST' || req.path !== HOOK_PATH) return { status: 404, text: 'no_service' };
    let body: { text?: unknown };
    try {
      body = JSON.parse(req.body);
    } catch {
      return { status: 400, text: 'invalid_payload' };
    }
    if (typeof body.text !== 'string' || body.text.trim() === '') return { status: 400, text: 'no_text' };
    const override = this.intercept();
    if (override) return override;
    this.messages.push({ text: body.text, at: Date.now() });
    return { status: 200, text: 'ok' };
  }
}

function fakeSlack(): Promise<FakeSlack> {
  return startVendor(new FakeSlack());
}

function pipeline(fake: FakeSlack, config: Record<string, unknown> = {}) {
  return startPipeline(
    pipelineConfig([
      vendorDestination('dst_slack', 'slack', {
        webhookUrl: `${fake.server.url}${HOOK_PATH}`,
        eventTemplates: [
          {
            name: 'Order Completed',
            value: '{{userId}} ordered {{properties.item}} for {{properties.total}}',
          },
        ],
        ...config,
      }),
    ]),
  );
}

describe('slack through the router', () => {
  it('posts track and identify messages in order; other types are counted as dropped', async () => {
    const fake = await fakeSlack();
    await pipeline(fake);
    await storeEvents(
      db.pool,
      gatewayJobs([
        { type: 'identify', userId: 'ada', traits: { email: 'ada@example.com' } },
        {
          type: 'track',
          event: 'Order Completed',
          userId: 'ada',
          properties: { total: 42, item: 'fish & chips' },
        },
        { type: 'page', userId: 'ada', name: 'Home' },
        { type: 'track', event: 'Signed Up', userId: 'ada' },
      ]),
    );
    await waitFor(() => fake.messages.length === 3, 10_000, 'three Slack messages');
    expect(fake.messages.map((m) => m.text)).toEqual([
      'ada identified ada@example.com',
      // Values from events are escaped for Slack's text format.
      'ada ordered fish &amp; chips for 42',
      'ada did Signed Up',
    ]);
    await waitFor(
      async () =>
        (await count(
          `SELECT coalesce(sum(count), 0) AS count FROM rpt_deltas WHERE status = 'dropped' AND error_code = 'unsupported-type'`,
        )) === 1,
      5_000,
      'the page counted as dropped',
    );
  });

  it('waits as long as Retry-After says when Slack rate-limits, then posts', async () => {
    const fake = await fakeSlack();
    let limitedAt = 0;
    fake.intercept = () => {
      if (limitedAt) return undefined;
      limitedAt = Date.now();
      return { status: 429, text: 'rate_limited', headers: { 'retry-after': '1' } };
    };
    await pipeline(fake);
    await storeEvents(db.pool, gatewayJobs([{ type: 'track', event: 'Signed Up', userId: 'bob' }]));
    await waitFor(() => fake.messages.length === 1, 10_000, 'the message after the rate limit');
    expect((fake.messages[0]?.at ?? 0) - limitedAt).toBeGreaterThanOrEqual(950);
    expect(
      await count(`SELECT count(*) FROM rt_status WHERE status = 'retrying' AND error_code = '429'`),
    ).toBe(1);
  });

  it('aborts when the channel is archived (410), keeping Slack’s error code', async () => {
    const fake = await fakeSlack();
    fake.intercept = () => ({ status: 410, text: 'channel_is_archived' });
    await pipeline(fake);
    await storeEvents(db.pool, gatewayJobs([{ type: 'track', event: 'Signed Up', userId: 'cy' }]));
    await waitForFailedEvents(1, 10_000);
    const { rows } = await db.pool.query('SELECT error_code, attempts, payload, response FROM failed_events');
    expect(rows[0].error_code).toBe('410');
    expect(rows[0].attempts).toBe(1);
    expect(rows[0].response.body).toBe('channel_is_archived');
    // The stored job (what a replay sends again) holds the message, not the webhook's secret path.
    expect(JSON.parse(rows[0].payload).body).toEqual({ text: 'cy did Signed Up' });
    expect(rows[0].payload).not.toContain('WebhookSecret42');
  });
});
