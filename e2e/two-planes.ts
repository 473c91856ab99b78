import type http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, TestClient } from '../apps/config-backend/src/trpc/testing';
import { buildDataPlane } from '../apps/dataplane/src/app';
import { loadEnv } from '../apps/dataplane/src/env';

/** Starts `server` on a free local port; returns its base URL. */
export async function listenLocally(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

export interface TwoPlanes {
  controlPlane: FastifyInstance;
  dataPlane: FastifyInstance;
  /** Signed in as the workspace's owner. */
  owner: TestClient;
  workspaceId: string;
  gatewayUrl: string;
  writeKey: string;
  sourceId: string;
  destinationId: string;
  connection: { id: string; version: number };
  close(): Promise<void>;
}

/**
 * The control plane and a data plane, each its own HTTP server on one database and talking only
 * through /data-plane/v1, with a workspace whose JavaScript source is connected to a webhook
 * destination at `webhookUrl`.
 */
export async function startTwoPlanes(options: {
  databaseUrl: string;
  owner: { email: string; name: string };
  webhookUrl: string;
  dataPlaneId: string;
  /** Data-plane settings besides the database, the control plane and its token. */
  dataPlaneEnv?: Record<string, string>;
}): Promise<TwoPlanes> {
  const { app: controlPlane } = await buildTestApp(options.databaseUrl);
  const controlPlaneUrl = await controlPlane.listen({ host: '127.0.0.1', port: 0 });
  const owner = new TestClient(controlPlane);
  const { workspaceId } = await owner.ok<{ workspaceId: string }>('mutation', 'auth.createOwner', {
    ...options.owner,
    password: 'correct horse battery',
    workspaceName: 'Acme',
  });
  const source = await owner.ok<{ id: string; writeKeys: Array<{ key: string }> }>(
    'mutation',
    'sources.create',
    { workspaceId, name: 'Web', type: 'javascript' },
  );
  const destination = await owner.ok<{ id: string }>('mutation', 'destinations.create', {
    workspaceId,
    name: 'CRM',
    type: 'webhook',
    config: { url: options.webhookUrl },
  });
  const connection = await owner.ok<{ id: string; version: number }>('mutation', 'connections.create', {
    workspaceId,
    sourceId: source.id,
    destinationId: destination.id,
  });
  const { token } = await owner.ok<{ token: string }>('mutation', 'dataPlaneTokens.create', {
    workspaceId,
    name: 'e2e',
  });
  const env = loadEnv({
    DATABASE_URL: options.databaseUrl,
    CONFIG_BACKEND_URL: controlPlaneUrl,
    DATA_PLANE_TOKEN: token,
    DATA_PLANE_ID: options.dataPlaneId,
    LOG_LEVEL: 'silent',
    CONFIG_POLL_INTERVAL_MS: '200',
    ...options.dataPlaneEnv,
  });
  const dataPlane = await buildDataPlane({ env, logger: false });
  const gatewayUrl = await dataPlane.listen({ host: '127.0.0.1', port: 0 });
  return {
    controlPlane,
    dataPlane,
    owner,
    workspaceId,
    gatewayUrl,
    writeKey: source.writeKeys[0]?.key ?? '',
    sourceId: source.id,
    destinationId: destination.id,
    connection,
    async close() {
      await dataPlane.close();
      await controlPlane.close();
    },
  };
}
