import { z } from 'zod';
import type { EventType, StoredEvent } from '../events';

export const HttpMethod = z.enum(['POST', 'PUT', 'PATCH', 'GET', 'DELETE']);
export type HttpMethod = z.infer<typeof HttpMethod>;

/** UI hints and secrecy of one config field, attached to its zod schema with `.meta()`. */
export interface FieldHints {
  label: string;
  help?: string;
  placeholder?: string;
  /** Secret fields are encrypted at rest, write-only in forms and masked in every response. */
  secret?: boolean;
  widget?: 'text' | 'url' | 'password' | 'number' | 'toggle' | 'select' | 'key-value' | 'textarea';
}

/** Declares a config field's UI hints; returns the same schema, so it composes inline. */
export function field<T extends z.ZodType>(schema: T, hints: FieldHints): T {
  return schema.meta({ keel: hints }) as T;
}

export function hintsOf(schema: z.ZodType): FieldHints | undefined {
  const meta = schema.meta() as { keel?: FieldHints } | undefined;
  return meta?.keel;
}

/** The per-event output of a destination's transform, stored in the router's job. */
export const DeliveryPayload = z.object({
  method: HttpMethod,
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown(),
  /**
   * The body as JSON text, when the router has it so (as stored): `toRequest` may splice it
   * into the request instead of serialising `body` again. Always equal to `body`.
   */
  bodyJson: z.string().optional(),
});
export type DeliveryPayload = z.infer<typeof DeliveryPayload>;

/** An HTTP request the router sends: one payload, or several batched into one. */
export interface DeliveryRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface DeliverySettings {
  /** Requests in flight to this destination at once. */
  concurrency: number;
  timeoutMs: number;
  /** Whether several payloads can share one request, and how many at most. */
  batching?: { maxEvents: number; maxWaitMs: number };
}

export type TransformResult = { ok: true; payloads: DeliveryPayload[] } | { ok: false; reason: string };

/**
 * A destination type. Pure data and pure functions: no React, no server code, no `any`.
 * `transform` maps one stored event to the payloads to deliver; `toRequest` turns one or more
 * payloads (same method and URL) into one HTTP request.
 */
export interface DestinationType<Config extends z.ZodObject = z.ZodObject> {
  id: string;
  title: string;
  description: string;
  category: 'webhook' | 'analytics' | 'messaging' | 'storage';
  configSchema: Config;
  supportedMessageTypes: readonly EventType[];
  supportsTestConnection: boolean;
  delivery(config: z.infer<Config>): DeliverySettings;
  transform(event: StoredEvent, config: z.infer<Config>): TransformResult;
  /**
   * For a config under which `transform` sends every event as it is, as one payload with the
   * same method, URL and headers whatever the event: that envelope. The processor then routes
   * such events without parsing or transforming them. Undefined otherwise.
   */
  passThrough?(config: z.infer<Config>): Omit<DeliveryPayload, 'body'> | undefined;
  toRequest(payloads: DeliveryPayload[], config: z.infer<Config>): DeliveryRequest;
}

/** The names of a config schema's secret fields, read from their hints. */
export function secretFieldsOf(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, fieldSchema]) => hintsOf(fieldSchema as z.ZodType)?.secret === true)
    .map(([name]) => name);
}
