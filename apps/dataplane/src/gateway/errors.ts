/** The stable codes of the gateway's JSON error bodies, with their HTTP statuses (RudderStack's). */
export const GATEWAY_ERROR_STATUS = {
  'missing-write-key': 401,
  'invalid-write-key': 401,
  'source-disabled': 404,
  'not-found': 404,
  'invalid-json': 400,
  'invalid-body': 400,
  'invalid-encoding': 400,
  'invalid-event': 400,
  'invalid-events': 400,
  'event-too-large': 413,
  'request-too-large': 413,
  'rate-limited': 429,
  overloaded: 503,
  'database-unavailable': 503,
  'config-unavailable': 503,
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_STATUS;

/** One rejected event of a request, by its index in the request's batch. */
export interface RejectedEvent {
  index: number;
  code: 'invalid-event' | 'event-too-large';
  reason: string;
}

export class GatewayError extends Error {
  readonly status: number;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly extra: { retryAfterSeconds?: number; rejected?: RejectedEvent[] } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = GATEWAY_ERROR_STATUS[code];
  }

  body(): { code: GatewayErrorCode; message: string; rejected?: RejectedEvent[] } {
    return this.extra.rejected
      ? { code: this.code, message: this.message, rejected: this.extra.rejected }
      : { code: this.code, message: this.message };
  }
}
