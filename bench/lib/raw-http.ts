import net from 'node:net';

/**
 * One keep-alive connection of the load generator. Requests are pre-built bytes and answers
 * are parsed by hand (as autocannon does): undici's request API costs tens of µs per request,
 * CPU that this 2-core box would otherwise take from the gateway and Postgres.
 */
export class RawConnection {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: ((status: number) => void) | undefined;
  readonly ready: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      const headerEnd = this.buffered.indexOf('\r\n\r\n');
      if (headerEnd === -1) return;
      const head = this.buffered.toString('latin1', 0, headerEnd);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buffered.length < headerEnd + 4 + length) return;
      this.buffered = this.buffered.subarray(headerEnd + 4 + length);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(Number(head.slice(9, 12)));
    });
    // A dropped connection answers 0, so a loop counts it as failed instead of hanging.
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(0);
    });
  }

  /** Sends one request and resolves with the answer's status. */
  send(request: Buffer): Promise<number> {
    if (this.socket.destroyed) return Promise.resolve(0);
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.end();
  }
}

/** A keep-alive POST with Basic auth, as bytes ready to write. */
export function buildRequest(port: number, path: string, body: string | Buffer, writeKey: string): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const auth = Buffer.from(`${writeKey}:`).toString('base64');
  return Buffer.concat([
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Basic ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`,
    ),
    payload,
  ]);
}
