import { z } from 'zod';
import { EventType } from '../events';
import { type DeliverySettings, field } from './types';

/**
 * What the batched analytics destinations (Amplitude, Mixpanel, PostHog) share: their batch
 * config fields, their delivery settings and the message types they take.
 */

/** Every message type: these vendors take them all. */
export const ANALYTICS_MESSAGE_TYPES: readonly EventType[] = EventType.options;

/** The "records per request" field, bounded by what the vendor accepts in one request. */
export function batchSizeField(options: {
  /** The vendor's limit per request. */
  max: number;
  tooMany: string;
  defaultSize: number;
  unit: 'event' | 'record';
  help?: string;
}) {
  const { max, tooMany, defaultSize, unit, help } = options;
  return field(
    z.number().int().min(1, `send at least 1 ${unit} per request`).max(max, tooMany).default(defaultSize),
    {
      label: unit === 'event' ? 'Events per request' : 'Records per request',
      ...(help ? { help } : {}),
      widget: 'number',
    },
  );
}

export const batchWaitField = () =>
  field(z.number().int().min(0).max(60_000).default(1000), {
    label: 'Longest wait for a batch (ms)',
    widget: 'number',
  });

export function batchedDelivery(config: { maxBatchSize: number; maxBatchWaitMs: number }): DeliverySettings {
  return {
    concurrency: 8,
    timeoutMs: 30_000,
    batching: { maxEvents: config.maxBatchSize, maxWaitMs: config.maxBatchWaitMs },
  };
}
