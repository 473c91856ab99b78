import http from 'node:http';
import type { ConfigDestination } from '@keel/shared';
import type { GatewayJob } from '../../jobsdb/gateway-jobs';
import { closeNow, listenLocally } from '../local-server';
import { testDestination } from '../testing';

/** One request as a vendor's server received it. */
export interface VendorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the fake vendor answers; `json` bodies are serialised with a JSON content type. */
export type VendorReply = { status: number; json?: unknown; text?: string; headers?: Record<string, string> };

/**
 * A local HTTP server that stands in for a vendor's API in integration tests: every request
 * is recorded and answered by `handle`, which checks it the way the vendor documents.
 */
export class VendorServer {
  readonly requests: VendorRequest[] = [];
  url = '';
  private readonly server: http.Server;

  constructor(private readonly handle: (req: VendorRequest) => VendorReply) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://vendor.local');
        const request: VendorRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(request);
        let reply: VendorReply;
        try {
          reply = this.handle(request);
        } catch (error) {
          reply = { status: 500, text: `fake vendor failed: ${String(error)}` };
        }
        const isJson = reply.json !== undefined;
        res.writeHead(reply.status, {
          'content-type': isJson ? 'application/json' : 'text/plain',
          ...reply.headers,
        });
        res.end(isJson ? JSON.stringify(reply.json) : (reply.text ?? ''));
      });
    });
  }

  async start(): Promise<this> {
    this.url = await listenLocally(this.server);
    return this;
  }

  close(): Promise<void> {
    return closeNow(this.server);
  }
}

/** A destination of catalog type `type`, connected to the test source with ordering on. */
export function vendorDestination(
  id: string,
  type: string,
  config: Record<string, unknown>,
): ConfigDestination {
  return testDestination(id, { name: type, displayName: type }, config);
}

/** Gateway jobs for the given events of the test source, as the gateway would store them. */
export function gatewayJobs(events: Record<string, unknown>[]): GatewayJob[] {
  return events.map((fields, i) => {
    const receivedAt = new Date();
    const messageId = String(fields.messageId ?? `msg-${i}`);
    const event = { messageId, receivedAt: receivedAt.toISOString(), ...fields };
    return {
      workspaceId: 'ws_test',
      sourceId: 'src_1',
      userKey: String(fields.userId ?? fields.anonymousId ?? ''),
      messageId,
      receivedAt,
      payload: JSON.stringify(event),
    };
  });
}
