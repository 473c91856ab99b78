import type { DeliveryPayload, HttpMethod } from '@keel/shared';
import { memoizeByText } from '../memo';

interface Envelope {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
}

/**
 * A router job's payload as the router holds it. The body stays JSON text (`bodyJson`), which
 * a destination's `toRequest` can splice into its request; it is parsed only when something
 * reads `body` (a destination that builds its request from objects, a live sample). Parsing
 * every body and serialising it again was the router's largest cost.
 */
export class StoredDelivery implements DeliveryPayload {
  private parsed: unknown;
  private isParsed = false;

  constructor(
    private readonly envelope: Envelope,
    readonly bodyJson: string,
  ) {}

  get method(): HttpMethod {
    return this.envelope.method;
  }

  get url(): string {
    return this.envelope.url;
  }

  get headers(): Record<string, string> {
    return this.envelope.headers;
  }

  get body(): unknown {
    if (!this.isParsed) {
      this.parsed = JSON.parse(this.bodyJson);
      this.isParsed = true;
    }
    return this.parsed;
  }
}

/**
 * Turns stored job payloads into deliveries. Jobs of one destination mostly share their
 * envelope text, so each distinct one is parsed once.
 */
export class DeliveryDecoder {
  private readonly envelopeOf = memoizeByText((payload) => parsePayload(payload) as Envelope, 1_000);

  decode(payload: string, body: string | null): DeliveryPayload {
    // A NULL body: the payload holds it (a replay, or a job stored before bodies had a column).
    if (body === null) return parsePayload(payload) as DeliveryPayload;
    return new StoredDelivery(this.envelopeOf(payload), body);
  }
}

function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return { method: 'POST', url: '', headers: {}, body: payload };
  }
}

/**
 * A stored job's whole payload as one JSON text, body included, as the failed-events store
 * keeps it for replays.
 */
export function wholePayloadJson(payload: string, body: string | null): string {
  if (body === null) return payload;
  const envelope = payload.trimEnd();
  return envelope === '{}' ? `{"body":${body}}` : `${envelope.slice(0, -1)},"body":${body}}`;
}
