import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildConfigBackend } from '../app';
import { createUser } from '../domain/users';
import { loadEnv } from '../env';

// Tests read responses field by field and assert on them, so the payload type stays open.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

/** What a test sees of one tRPC call over HTTP. */
export interface CallResult<T = unknown> {
  status: number;
  data: T;
  error?: {
    message: string;
    data: { code: string; httpStatus: number; domainCode?: string; fields?: Record<string, string> };
  };
  raw: string;
  setCookie: string[];
}

export const TEST_ORIGIN = 'http://localhost:3000';

/**
 * A config-backend on a test database whose log lines are captured in `logs`, so tests can
 * assert that secrets never reach them.
 */
export async function buildTestApp(
  databaseUrl: string,
  envOverrides: Record<string, string> = {},
): Promise<{ app: FastifyInstance; logs: string[] }> {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const env = loadEnv({
    DATABASE_URL: databaseUrl,
    KEEL_SECRET_KEY: randomBytes(32).toString('base64'),
    PUBLIC_URL: TEST_ORIGIN,
    ...envOverrides,
  });
  const app = await buildConfigBackend({ env, logger: { level: 'trace', stream } });
  await app.ready();
  return { app, logs };
}

/** Calls procedures the way a browser (cookie + Origin) or a script (bearer token) would. */
export class TestClient {
  cookie: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    readonly credentials: { token?: string; origin?: string | null; referer?: string } = {},
  ) {}

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`;
    if (this.cookie) headers.cookie = this.cookie;
    const origin = this.credentials.origin === undefined ? TEST_ORIGIN : this.credentials.origin;
    if (origin) headers.origin = origin;
    if (this.credentials.referer) headers.referer = this.credentials.referer;
    return headers;
  }

  async query<T = Json>(path: string, input?: unknown): Promise<CallResult<T>> {
    const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const res = await this.app.inject({ method: 'GET', url: `/trpc/${path}${qs}`, headers: this.headers() });
    return this.result<T>(res);
  }

  async mutation<T = Json>(path: string, input?: unknown): Promise<CallResult<T>> {
    const res = await this.app.inject({
      method: 'POST',
      url: `/trpc/${path}`,
      headers: { ...this.headers(), 'content-type': 'application/json' },
      payload: input === undefined ? '' : JSON.stringify(input),
    });
    return this.result<T>(res);
  }

  /** Like mutation/query but throws unless the call succeeded, for set-up steps. */
  async ok<T = Json>(kind: 'query' | 'mutation', path: string, input?: unknown): Promise<T> {
    const res = kind === 'query' ? await this.query<T>(path, input) : await this.mutation<T>(path, input);
    if (res.status !== 200) throw new Error(`${path} failed with ${res.status}: ${res.raw}`);
    return res.data;
  }

  private result<T>(res: {
    statusCode: number;
    body: string;
    headers: Record<string, unknown>;
  }): CallResult<T> {
    const body = JSON.parse(res.body) as { result?: { data: T }; error?: CallResult['error'] };
    const setCookieHeader = res.headers['set-cookie'];
    const setCookie = Array.isArray(setCookieHeader)
      ? (setCookieHeader as string[])
      : typeof setCookieHeader === 'string'
        ? [setCookieHeader]
        : [];
    const session = setCookie.find((c) => c.startsWith('keel_session='));
    if (session) {
      const value = session.split(';')[0] ?? '';
      this.cookie = value === 'keel_session=' ? undefined : value;
    }
    return {
      status: res.statusCode,
      data: body.result?.data as T,
      error: body.error,
      raw: res.body,
      setCookie,
    };
  }
}

export interface TestWorkspace {
  workspaceId: string;
  /** Signed in with the owner's session cookie. */
  owner: TestClient;
  /** A client authenticated by a fresh API token holding `role` in the workspace. */
  tokenClient(role: 'owner' | 'editor' | 'viewer'): Promise<TestClient>;
}

let userCounter = 0;

/**
 * Signs up an owner: through the first-run step when the database has no users yet,
 * otherwise as a new user who signs in and creates a workspace of their own.
 */
export async function setUpWorkspace(app: FastifyInstance, name = 'Acme'): Promise<TestWorkspace> {
  userCounter += 1;
  const owner = new TestClient(app);
  const credentials = {
    email: `owner${userCounter}-${Date.now()}@example.com`,
    name: `Owner ${userCounter}`,
    password: 'a long enough password',
  };
  const setup = await owner.ok('query', 'auth.setupStatus');
  let workspaceId: string;
  if (setup.needsOwner) {
    ({ workspaceId } = await owner.ok('mutation', 'auth.createOwner', {
      ...credentials,
      workspaceName: name,
    }));
  } else {
    // A user with no workspace yet, as if they had signed up through another workspace's invitation.
    await createUser(app.keel.prisma, credentials);
    await owner.ok('mutation', 'auth.login', { email: credentials.email, password: credentials.password });
    ({ id: workspaceId } = await owner.ok('mutation', 'workspaces.create', { name }));
  }
  return {
    workspaceId,
    owner,
    async tokenClient(role) {
      const { token } = await owner.ok('mutation', 'apiTokens.create', {
        workspaceId,
        name: `${role} token`,
        role,
      });
      return new TestClient(app, { token });
    },
  };
}

/** A first-run owner's workspace, as the dashboard-data tests (failed events, reports, live) use it. */
export interface DashboardWorkspace {
  workspaceId: string;
  owner: TestClient;
  /** Reads with a viewer API token, as a script would. */
  viewer: TestClient;
  dataPlaneToken: string;
  /** Calls a /data-plane/v1 endpoint with the workspace's data-plane token. */
  dataPlane(method: 'GET' | 'POST', url: string, payload?: object): Promise<LightMyRequestResponse>;
}

export async function setUpDashboardWorkspace(app: FastifyInstance): Promise<DashboardWorkspace> {
  const owner = new TestClient(app);
  const { workspaceId } = await owner.ok('mutation', 'auth.createOwner', {
    email: 'owner@example.com',
    name: 'Owner',
    password: 'correct horse battery',
    workspaceName: 'Acme',
  });
  const view = await owner.ok('mutation', 'apiTokens.create', { workspaceId, name: 'dash', role: 'viewer' });
  const viewer = new TestClient(app, { token: view.token, origin: null });
  const { token } = await owner.ok('mutation', 'dataPlaneTokens.create', { workspaceId, name: 'dp' });
  return {
    workspaceId,
    owner,
    viewer,
    dataPlaneToken: token,
    dataPlane: (method, url, payload) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload }),
  };
}
