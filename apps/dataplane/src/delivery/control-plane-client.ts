import {
  DATA_PLANE_API_PREFIX,
  DataPlaneCommands,
  type DeliveryReportBatch,
  type FailedEventBatch,
  type LiveEventBatch,
  LiveWatches,
  type ReplayDone,
  type WriteKeyUsageBatch,
} from '@keel/shared';
import { request } from 'undici';
import type { z } from 'zod';

/**
 * The data plane's calls to the config-backend (contract: packages/shared/src/data-plane-api.ts).
 * The data plane only calls out; every call carries the data-plane token.
 */
export class ControlPlaneClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  postReports(batch: DeliveryReportBatch): Promise<void> {
    return this.send('POST', '/reports', batch);
  }

  postFailedEvents(batch: FailedEventBatch): Promise<void> {
    return this.send('POST', '/failed-events', batch);
  }

  async commands(): Promise<DataPlaneCommands> {
    return this.get('/commands', DataPlaneCommands);
  }

  commandDone(id: string, done: ReplayDone): Promise<void> {
    return this.send('POST', `/commands/${encodeURIComponent(id)}/done`, done);
  }

  async liveWatches(): Promise<LiveWatches> {
    return this.get('/live', LiveWatches);
  }

  postLiveEvents(batch: LiveEventBatch): Promise<void> {
    return this.send('POST', '/live-events', batch);
  }

  postWriteKeyUsage(batch: WriteKeyUsageBatch): Promise<void> {
    return this.send('POST', '/write-key-usage', batch);
  }

  private async get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    const response = await request(`${this.baseUrl}${DATA_PLANE_API_PREFIX}${path}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${this.token}` },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw this.failure('GET', path, response.statusCode, text);
    return schema.parse(JSON.parse(text));
  }

  private async send(method: 'POST', path: string, body: unknown): Promise<void> {
    const response = await request(`${this.baseUrl}${DATA_PLANE_API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw this.failure(method, path, response.statusCode, text);
    }
  }

  private failure(method: string, path: string, status: number, body: string): Error {
    const hint =
      status === 401
        ? ' Check DATA_PLANE_TOKEN: create a data-plane token in workspace settings.'
        : ` Check CONFIG_BACKEND_URL (${this.baseUrl}) and the config-backend's logs.`;
    return new Error(
      `The config-backend answered ${status} to ${method} ${DATA_PLANE_API_PREFIX}${path}: ${body.slice(0, 300)}.${hint}`,
    );
  }
}
