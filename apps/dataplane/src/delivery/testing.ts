import http from 'node:http';
import type { ConfigDestination, StoredEvent, WorkspaceConfig } from '@keel/shared';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { buildDataPlane } from '../app';
import { MemoryConfigStore } from '../config/memory-store';
import { loadEnv } from '../env';
import { testConfig, testSource } from '../gateway/testing';
import { appendGatewayJobs, type GatewayJob } from '../jobsdb/gateway-jobs';
import { closeNow, listenLocally } from './local-server';

/** What a test sink answers: a status (and headers), or `hang` to never answer. */
export type SinkReply = { status: number; headers?: Record<string, string> } | 'hang';

export interface ReceivedEvent {
  /** The request path: one sink may stand for several destinations. */
  path: string;
  messageId: string;
  userId: string;
  seq: number;
  at: number;
}

/**
 * A webhook receiver on a real port: records every event of every request it answers 2xx,
 * in arrival order, and answers as `reply` says (accepting one JSON event or an array).
 */
export class WebhookSink {
  readonly received: ReceivedEvent[] = [];
  /** The raw body of every request answered 2xx, as it came. */
  readonly bodies: string[] = [];
  requests = 0;
  reply: (events: StoredEvent[]) => SinkReply = () => ({ status: 200 });
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests += 1;
      const text = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(text || 'null') as StoredEvent | StoredEvent[];
      const events = Array.isArray(body) ? body : [body];
      const answer = this.reply(events);
      if (answer === 'hang') return;
      if (answer.status >= 200 && answer.status < 300) {
        const at = Date.now();
        this.bodies.push(text);
        for (const e of events) {
          this.received.push({
            path: req.url ?? '',
            messageId: e.messageId,
            userId: String(e.userId ?? e.anonymousId ?? ''),
            seq: Number((e.properties as { seq?: number } | undefined)?.seq ?? -1),
            at,
          });
        }
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify({ ok: answer.status < 300 }));
    });
  });
  url = '';

  async start(): Promise<this> {
    this.url = await listenLocally(this.server);
    return this;
  }

  close(): Promise<void> {
    return closeNow(this.server);
  }

  /** Distinct (path, messageId) pairs received, and how many arrived more than once. */
  summary(): { unique: number; duplicates: number } {
    const seen = new Set<string>();
    let duplicates = 0;
    for (const r of this.received) {
      const key = `${r.path} ${r.messageId}`;
      if (seen.has(key)) duplicates += 1;
      else seen.add(key);
    }
    return { unique: seen.size, duplicates };
  }

  /** Users whose first deliveries did not arrive in increasing `seq` order. */
  outOfOrderUsers(): string[] {
    const last = new Map<string, number>();
    const seen = new Set<string>();
    const bad = new Set<string>();
    for (const r of this.received) {
      if (seen.has(`${r.path} ${r.messageId}`)) continue;
      seen.add(`${r.path} ${r.messageId}`);
      const user = `${r.path} ${r.userId}`;
      const prev = last.get(user);
      if (prev !== undefined && r.seq < prev) bad.add(user);
      last.set(user, r.seq);
    }
    return [...bad];
  }
}

/** A destination of catalog type `type`, connected to the test source (ordering on unless `connection` says). */
export function testDestination(
  id: string,
  type: { name: string; displayName: string },
  config: Record<string, unknown>,
  connection: Partial<ConfigDestination['connection']> = {},
): ConfigDestination {
  return {
    id,
    name: `${type.displayName} ${id}`,
    enabled: true,
    config,
    destinationDefinition: type,
    connection: {
      id: `conn_${id}`,
      enabled: true,
      filterMode: 'none',
      filterEvents: [],
      consentCategories: [],
      orderingEnabled: true,
      ...connection,
    },
    transformations: [],
  };
}

/** A webhook destination connected to a test source. */
export function webhookDestination(
  id: string,
  url: string,
  config: Record<string, unknown> = {},
  connection: Partial<ConfigDestination['connection']> = {},
): ConfigDestination {
  return testDestination(
    id,
    { name: 'webhook', displayName: 'Webhook' },
    { url, method: 'POST', headers: [], ...config },
    connection,
  );
}

export function pipelineConfig(destinations: ConfigDestination[], sourceId = 'src_1'): WorkspaceConfig {
  return testConfig([testSource({ id: sourceId, destinations })]);
}

/** `count` track events spread over `users` users, numbered per user by `properties.seq`. */
export function trackEvents(count: number, users: number, prefix = 'm'): GatewayJob[] {
  const seqs = new Map<string, number>();
  const jobs: GatewayJob[] = [];
  for (let i = 0; i < count; i++) {
    const userId = `u${i % users}`;
    const seq = seqs.get(userId) ?? 0;
    seqs.set(userId, seq + 1);
    const messageId = `${prefix}-${i}`;
    const receivedAt = new Date();
    const event = {
      type: 'track',
      event: 'Tested',
      userId,
      messageId,
      receivedAt: receivedAt.toISOString(),
      properties: { seq },
    };
    jobs.push({
      workspaceId: 'ws_test',
      sourceId: 'src_1',
      userKey: userId,
      messageId,
      receivedAt,
      payload: JSON.stringify(event),
    });
  }
  return jobs;
}

/** Commits gateway jobs as the gateway does: in one transaction. */
export async function storeEvents(pool: pg.Pool, jobs: readonly GatewayJob[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await appendGatewayJobs(client, jobs);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** A processor + router data plane on `databaseUrl`, serving `config`. */
export async function startPipelineApp(options: {
  databaseUrl: string;
  config: WorkspaceConfig;
  env?: Record<string, string>;
}): Promise<{ app: FastifyInstance; config: MemoryConfigStore; close(): Promise<void> }> {
  const env = loadEnv({
    DATABASE_URL: options.databaseUrl,
    DATA_PLANE_TOKEN: 'test-token',
    // Nothing listens here: pushes fail and are retried, as when the control plane is away.
    CONFIG_BACKEND_URL: 'http://127.0.0.1:9',
    ROLES: 'processor,router',
    LOG_LEVEL: 'silent',
    ROUTER_BACKOFF_MIN_MS: '50',
    ROUTER_BACKOFF_MAX_MS: '500',
    JOBSDB_MAINTENANCE_INTERVAL_MS: '500',
    ...options.env,
  });
  const config = new MemoryConfigStore(options.config);
  const app = await buildDataPlane({ env, config, logger: false });
  return { app, config, close: () => app.close() };
}

/** Polls `probe` until it returns a value, for what only happens after a poll or push interval. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
