import type { StoredEvent } from '../events';

/**
 * Safe readers of a stored event's loose fields, shared by the vendor destinations. Events
 * may have passed through a user transformation, so no field's type can be assumed.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path, or undefined when any step is missing or not an object. */
export function valueAt(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const key of path.split('.')) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** A non-empty string (numbers are stringified, as ids sometimes arrive as numbers). */
export function stringAt(source: unknown, path: string): string | undefined {
  const value = valueAt(source, path);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function numberAt(source: unknown, path: string): number | undefined {
  const value = valueAt(source, path);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function recordAt(source: unknown, path: string): JsonRecord {
  const value = valueAt(source, path);
  return isRecord(value) ? value : {};
}

/** The moment the event happened, in ms since the epoch: its timestamp, else when it was received. */
export function eventTimeMs(event: StoredEvent): number {
  for (const candidate of [event.timestamp, event.originalTimestamp, event.receivedAt]) {
    const ms = typeof candidate === 'string' ? Date.parse(candidate) : Number.NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return 0;
}

export function eventTimeIso(event: StoredEvent): string {
  return new Date(eventTimeMs(event)).toISOString();
}

/** Drops keys whose value is undefined, so vendor payloads carry only what the event had. */
export function compact<T extends JsonRecord>(record: T): T {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out as T;
}

/** `application/x-www-form-urlencoded`, for the vendor endpoints that take form posts. */
export function formEncode(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** A URL without its trailing slashes, so paths can be appended. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * A stable 32-hex-digit digest (two FNV-1a 64-bit lanes) for ids that a vendor limits in
 * length or alphabet. Not cryptographic: it only has to be deterministic, so that a retried
 * event keeps its deduplication id. Pure, because the catalog also runs in the browser.
 */
export function stableDigest(text: string): string {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let a = 0xcbf29ce484222325n;
  let b = 0x84222325cbf29ce4n;
  for (let i = 0; i < text.length; i++) {
    const code = BigInt(text.charCodeAt(i));
    a = ((a ^ code) * prime) & mask;
    b = ((b ^ (code + 0x9en)) * prime) & mask;
  }
  return a.toString(16).padStart(16, '0') + b.toString(16).padStart(16, '0');
}
