import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConfigStore } from '../config/config-store';
import { authenticate, basicAuthUser, findSource } from './auth';
import { readBody } from './body';
import { pixelEvent, rudderSourceConfig, segmentSettings } from './bootstrap';
import { GatewayError } from './errors';
import type { GroupCommitter } from './group-commit';
import { nothingAccepted, prepareEvents } from './ingest';
import type { KeyUsageRecorder } from './key-usage';
import type { GatewayMetrics } from './metrics';
import type { RateLimiter } from './rate-limit';
import type { GatewayRejections } from './rejections';

export interface GatewayOptions {
  config: ConfigStore;
  committer: GroupCommitter;
  metrics: GatewayMetrics;
  rateLimiter: RateLimiter;
  /** Told of each write key accepted for events (not for SDK bootstrap), for its last-used time. */
  keyUsage?: KeyUsageRecorder;
  /** Counts refused events per source for the dashboard (rpt_deltas); Prometheus counts them too. */
  rejections?: GatewayRejections;
  maxRequestBytes: number;
  maxEventBytes: number;
}

type EventType = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';
type Shape = { kind: 'single'; type: EventType } | { kind: 'batch' } | { kind: 'webhook' };

const SINGLE_PATHS: Record<string, EventType> = {
  track: 'track',
  identify: 'identify',
  page: 'page',
  screen: 'screen',
  group: 'group',
  alias: 'alias',
  // analytics-next posts to the first letter of the type and cannot be told otherwise.
  t: 'track',
  i: 'identify',
  p: 'page',
  s: 'screen',
  g: 'group',
  a: 'alias',
};
const BATCH_PATHS = ['/v1/batch', '/v1/import', '/v1/b', '/beacon/v1/batch'];
const OK = '{"ok":true}';
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

declare module 'fastify' {
  interface FastifyRequest {
    gatewaySourceId: string;
    /** The events of the request once they are known, for counting a whole-request refusal. */
    gatewayEvents: number;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Segment's batch API: a batch-level `context` or `integrations` applies to events without their own. */
function applyBatchDefaults(events: unknown[], body: Record<string, unknown>): void {
  for (const field of ['context', 'integrations'] as const) {
    const shared = body[field];
    if (!isObject(shared)) continue;
    for (const event of events) {
      if (isObject(event) && event[field] === undefined) event[field] = shared;
    }
  }
}

function queryWriteKey(request: FastifyRequest): string | undefined {
  const key = (request.query as Record<string, unknown> | undefined)?.writeKey;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

function parseJson(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new GatewayError('invalid-json', 'The request body is empty; send the event as JSON.');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError(
      'invalid-json',
      'The request body is not valid JSON; send the event as a JSON object.',
    );
  }
}

/**
 * The RudderStack- and Segment-compatible HTTP API: event endpoints with their analytics-next
 * short aliases, webhook, pixel and beacon intake, the browser SDKs' bootstrap documents, and
 * CORS for all of it. Runs in its own encapsulated scope: every body is read raw here.
 */
export async function gatewayRoutes(app: FastifyInstance, options: GatewayOptions): Promise<void> {
  const { config, committer, metrics, rateLimiter, keyUsage, rejections } = options;

  app.decorateRequest('gatewaySourceId', '');
  app.decorateRequest('gatewayEvents', 0);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    readBody(payload, request.headers, options.maxRequestBytes).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  });

  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin) {
      // Echoing the origin (not `*`) is what lets a browser send credentials.
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      // Not a CORS-safelisted header: without this, analytics-next's fetch sees no Retry-After
      // on a 429 and falls back to its own backoff.
      reply.header('access-control-expose-headers', 'Retry-After');
      reply.header('vary', 'Origin');
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.requests.inc({ source: request.gatewaySourceId || 'unknown', status: String(reply.statusCode) });
    done();
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof GatewayError) {
      rejections?.refused(config, request, error.code, request.gatewayEvents, error.message);
      if (error.extra.retryAfterSeconds !== undefined) {
        reply.header('retry-after', String(error.extra.retryAfterSeconds));
      }
      return reply.code(error.status).send(error.body());
    }
    if (error.statusCode === 413) {
      rejections?.refused(config, request, 'request-too-large', 0, 'The request body is too large.');
      return reply.code(413).send({ code: 'request-too-large', message: 'The request body is too large.' });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      rejections?.refused(config, request, 'invalid-body', 0, error.message);
      return reply
        .code(400)
        .send({ code: 'invalid-body', message: `The request could not be read: ${error.message}` });
    }
    request.log.error({ err: { message: error.message, stack: error.stack } }, 'gateway request failed');
    return reply
      .code(500)
      .send({ code: 'internal', message: 'The gateway failed on this request; retry it.' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      code: 'not-found',
      message: `${request.method} ${request.url.split('?')[0]} is not a gateway endpoint; see /v1/track, /v1/batch and the rest.`,
    });
  });

  app.options('*', (request, reply) => {
    reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
    reply.header(
      'access-control-allow-headers',
      request.headers['access-control-request-headers'] ?? 'authorization, content-type, anonymousid, sentat',
    );
    reply.header('access-control-max-age', '86400');
    reply.code(204).send();
  });

  async function ingest(request: FastifyRequest, reply: FastifyReply, shape: Shape): Promise<FastifyReply> {
    const receivedAt = new Date();
    let writeKey = basicAuthUser(request.headers.authorization) ?? queryWriteKey(request);
    let source = writeKey ? authenticate(config, writeKey, keyUsage) : undefined;
    if (source) request.gatewaySourceId = source.id;
    const body = parseJson(request.body);
    if (!source) {
      writeKey = isObject(body) && typeof body.writeKey === 'string' ? body.writeKey : undefined;
      source = authenticate(config, writeKey, keyUsage);
    }
    request.gatewaySourceId = source.id;

    let events: unknown[];
    let batchSentAt: unknown;
    if (shape.kind === 'batch') {
      if (!isObject(body) || !Array.isArray(body.batch)) {
        throw new GatewayError(
          'invalid-body',
          'A batch request needs a JSON object with a `batch` array of events.',
        );
      }
      if (body.batch.length === 0) {
        throw new GatewayError('invalid-body', 'The `batch` array is empty; send at least one event.');
      }
      events = body.batch;
      batchSentAt = body.sentAt;
      applyBatchDefaults(events, body);
    } else if (shape.kind === 'webhook') {
      events = [
        {
          type: 'track',
          event: 'webhook_source_event',
          anonymousId: randomUUID(),
          properties: isObject(body) ? body : { body },
        },
      ];
    } else {
      if (!isObject(body)) {
        throw new GatewayError('invalid-body', 'The request body must be one JSON object, the event.');
      }
      body.type = shape.type;
      events = [body];
    }

    request.gatewayEvents = events.length;
    rateLimiter.take(source.id, source.rateLimitPerSecond, events.length);
    const prepared = prepareEvents(events, {
      source,
      receivedAt,
      requestIp: request.ip,
      batchSentAt,
      maxEventBytes: options.maxEventBytes,
    });
    for (const rejection of prepared.rejected) {
      metrics.eventsRejected.inc({ source: source.id, reason: rejection.code });
      rejections?.event(source, rejection, events[rejection.index]);
    }
    if (prepared.accepted === 0) throw nothingAccepted(prepared.rejected, shape.kind !== 'batch');
    await committer.submit(prepared.rows, prepared.accepted);
    metrics.eventsAccepted.inc({ source: source.id }, prepared.accepted);
    reply.header('content-type', 'application/json; charset=utf-8');
    if (prepared.rejected.length === 0) return reply.send(OK);
    return reply.send(JSON.stringify({ ok: true, accepted: prepared.accepted, rejected: prepared.rejected }));
  }

  for (const [path, type] of Object.entries(SINGLE_PATHS)) {
    app.post(`/v1/${path}`, (request, reply) => ingest(request, reply, { kind: 'single', type }));
  }
  for (const path of BATCH_PATHS) {
    app.post(path, (request, reply) => ingest(request, reply, { kind: 'batch' }));
  }
  app.post('/v1/webhook', (request, reply) => ingest(request, reply, { kind: 'webhook' }));

  for (const type of ['track', 'page'] as const) {
    app.get(`/pixel/v1/${type}`, async (request, reply) => {
      const source = authenticate(config, queryWriteKey(request), keyUsage);
      request.gatewaySourceId = source.id;
      rateLimiter.take(source.id, source.rateLimitPerSecond, 1);
      const event = pixelEvent(request.query as Record<string, unknown>, type);
      const prepared = prepareEvents([event], {
        source,
        receivedAt: new Date(),
        requestIp: request.ip,
        maxEventBytes: options.maxEventBytes,
      });
      for (const rejection of prepared.rejected) rejections?.event(source, rejection, event);
      if (prepared.accepted === 0) throw nothingAccepted(prepared.rejected, true);
      await committer.submit(prepared.rows, prepared.accepted);
      metrics.eventsAccepted.inc({ source: source.id });
      return reply.header('content-type', 'image/gif').header('cache-control', 'no-store').send(PIXEL);
    });
  }

  // analytics-next's own telemetry: accepted and dropped, so it never shows up as errors.
  app.post('/v1/m', (_request, reply) => {
    reply.header('content-type', 'application/json; charset=utf-8').send(OK);
  });

  const sourceConfig = (request: FastifyRequest, reply: FastifyReply) => {
    const writeKey = basicAuthUser(request.headers.authorization) ?? queryWriteKey(request);
    // A disabled source is answered with enabled: false, which the SDK honours by sending nothing.
    const source = findSource(config, writeKey) ?? authenticate(config, writeKey);
    request.gatewaySourceId = source.id;
    reply.send(rudderSourceConfig(source));
  };
  app.get('/sourceConfig', sourceConfig);
  app.get('/sourceConfig/', sourceConfig);

  app.get<{ Params: { writeKey: string } }>('/v1/projects/:writeKey/settings', (request, reply) => {
    const source = authenticate(config, request.params.writeKey);
    request.gatewaySourceId = source.id;
    reply.send(segmentSettings(request.params.writeKey, request.host, request.protocol));
  });
}
