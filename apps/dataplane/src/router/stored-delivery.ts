import type { DeliveryPayload, HttpMethod } from '@keel/shared';

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
  private readonly envelopes = new Map<string, Envelope>();

  decode(payload: string, body: string | null): DeliveryPayload {
    if (body === null) return this.decodeWhole(payload);
    let envelope = this.envelopes.get(payload);
    if (!envelope) {
      envelope = this.parse(payload) as Envelope;
      if (this.envelopes.size >= 1_000) this.envelopes.clear();
      this.envelopes.set(payload, envelope);
    }
    return new StoredDelivery(envelope, body);
  }

  /** A payload that holds its body (a replay, or a job stored before bodies had a column). */
  private decodeWhole(payload: string): DeliveryPayload {
    return this.parse(payload) as DeliveryPayload;
  }

  private parse(payload: string): unknown {
    try {
      return JSON.parse(payload);
    } catch {
      return { method: 'POST', url: '', headers: {}, body: payload };
    }
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
