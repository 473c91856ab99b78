import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  dropTestDatabase,
  type TestDatabase,
  useTestDatabase,
} from '@keel/postgres/testing';
import { SandboxPool } from '@keel/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createPrisma, type Db } from '../db';
import { createConnection } from '../domain/connections';
import { createDestination } from '../domain/destinations';
import { createSource } from '../domain/sources';
import { createTransformation, publishVersion } from '../domain/transformations';
import { createWorkspace } from '../domain/workspaces';
import { applyPlan, planApply, renderPlan } from './apply';
import { exportWorkspace } from './export';
import { WorkspaceFile } from './workspace-file';

const run = promisify(execFile);
const main = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
const system = { type: 'system', id: null } as const;
const secretKey = randomBytes(32);
const SECRET = 'Bearer very-secret-header-value';

const dev = useTestDatabase('cli-dev');
let testEnv: TestDatabase;
let devDb: Db;
let testDb: Db;
let sandbox: SandboxPool;
const check = (code: string) => sandbox.check({ code, allowFetch: false });

async function ownerWorkspace(db: Db, name: string): Promise<string> {
  const user = await db.user.upsert({
    where: { email: 'ops@example.com' },
    create: { id: `usr_${name}`, email: 'ops@example.com', name: 'Ops', passwordHash: 'x' },
    update: {},
  });
  return (await createWorkspace(db, { type: 'user', id: user.id }, { name })).id;
}

async function populate(db: Db, workspaceId: string): Promise<void> {
  const web = await createSource(db, system, workspaceId, {
    name: 'Web',
    type: 'javascript',
    enabled: true,
    rateLimitPerSecond: 200,
    writeKeys: [{ name: 'Default', key: 'dev_web_key_0123456789abcdefghijklmnop' }, { name: 'Rotating' }],
  });
  const server = await createSource(db, system, workspaceId, {
    name: 'Backend',
    type: 'server',
    enabled: false,
    rateLimitPerSecond: null,
    writeKeys: [{ name: 'Default' }],
  });
  const hook = await createDestination(
    db,
    system,
    workspaceId,
    {
      name: 'Orders hook',
      type: 'webhook',
      enabled: true,
      config: {
        url: 'https://example.com/hooks/{{event}}',
        secretHeaderValue: SECRET,
        batchingEnabled: true,
      },
    },
    secretKey,
  );
  const audit = await createDestination(
    db,
    system,
    workspaceId,
    {
      name: 'Audit sink',
      type: 'webhook',
      enabled: false,
      config: { url: 'http://127.0.0.1:9/audit', method: 'PUT' },
    },
    secretKey,
  );
  const transformation = await createTransformation(db, check, system, workspaceId, {
    name: 'Strip IP',
    description: 'Removes context.ip',
    code: 'export function transformEvent(event) { return event; }',
  });
  const v2 = await publishVersion(db, check, system, workspaceId, {
    transformationId: transformation.id,
    code: 'export function transformEvent(event) { delete event.context.ip; return event; }',
    basedOnVersion: 1,
  });
  const base = { enabled: true, consentCategories: [], orderingEnabled: true };
  await createConnection(db, system, workspaceId, {
    ...base,
    sourceId: web.id,
    destinationId: hook.id,
    filterMode: 'deny',
    filterEvents: ['Debug'],
    transformationVersionId: v2.id,
  });
  await createConnection(db, system, workspaceId, {
    ...base,
    sourceId: server.id,
    destinationId: hook.id,
    filterMode: 'none',
    filterEvents: [],
    consentCategories: ['analytics'],
    orderingEnabled: false,
    transformationVersionId: null,
  });
  await createConnection(db, system, workspaceId, {
    ...base,
    enabled: false,
    sourceId: web.id,
    destinationId: audit.id,
    filterMode: 'allow',
    filterEvents: ['Order Completed'],
    transformationVersionId: null,
  });
}

async function apply(db: Db, workspaceId: string, file: WorkspaceFile, prune = false) {
  const plan = await planApply(db, workspaceId, file, { prune });
  await db.$transaction((tx) => applyPlan(tx, plan, { actor: system, workspaceId, secretKey, check }), {
    timeout: 60_000,
  });
  return plan;
}

let devWorkspace: string;
let testWorkspace: string;

beforeAll(async () => {
  sandbox = new SandboxPool({ processes: 1 });
  testEnv = await createTestDatabase('cli-test');
  devDb = createPrisma(dev.url);
  testDb = createPrisma(testEnv.url);
  devWorkspace = await ownerWorkspace(devDb, 'Dev');
  testWorkspace = await ownerWorkspace(testDb, 'Test');
  await populate(devDb, devWorkspace);
});

afterAll(async () => {
  await sandbox?.close();
  await devDb?.$disconnect();
  await testDb?.$disconnect();
  if (testEnv) await dropTestDatabase(testEnv);
});

describe('workspace export and apply', () => {
  it('round-trips: export, apply into an empty workspace elsewhere, export again is identical', async () => {
    const exported = await exportWorkspace(devDb, devWorkspace);
    const text = YAML.stringify(exported);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('dev_web_key_0123456789abcdefghijklmnop');
    expect(exported.sources.map((s) => [s.name, s.writeKeys.length])).toEqual([
      ['Backend', 1],
      ['Web', 2],
    ]);
    expect(exported.connections.find((c) => c.transformation)?.transformation).toEqual({
      name: 'Strip IP',
      version: 2,
    });

    const plan = await apply(testDb, testWorkspace, WorkspaceFile.parse(YAML.parse(text)));
    expect(renderPlan(plan)).toContain('+ source "Web"');
    expect(plan.changes.every((c) => c.action === 'create')).toBe(true);

    expect(await exportWorkspace(testDb, testWorkspace)).toEqual(exported);
    const audited = await testDb.auditLog.count({
      where: { workspaceId: testWorkspace, actorType: 'system' },
    });
    expect(audited).toBeGreaterThanOrEqual(plan.changes.length);

    // Applying the same file again changes nothing.
    const again = await planApply(testDb, testWorkspace, WorkspaceFile.parse(exported), { prune: true });
    expect(again.changes).toEqual([]);
  });

  it('shows field changes, sets secrets given in the file, and removes what the file leaves out only with prune', async () => {
    const file = WorkspaceFile.parse(await exportWorkspace(testDb, testWorkspace));
    const hook = file.destinations.find((d) => d.name === 'Orders hook');
    if (!hook) throw new Error('the export lost a destination');
    hook.config = {
      ...hook.config,
      url: 'https://example.com/v2/{{event}}',
      secretHeaderValue: 'Bearer test-env',
    };
    file.sources = file.sources.filter((s) => s.name !== 'Backend');
    file.connections = file.connections.filter((c) => c.source !== 'Backend');

    const kept = await planApply(testDb, testWorkspace, file, { prune: false });
    const diff = renderPlan(kept);
    expect(diff).toContain('~ destination "Orders hook"');
    expect(diff).toContain(
      'config.url: "https://example.com/hooks/{{event}}" → "https://example.com/v2/{{event}}"',
    );
    expect(diff).toContain('config.secretHeaderValue: set (secret)');
    expect(diff).not.toContain('Bearer test-env');
    expect(diff).toContain('kept; pass --prune');

    await apply(testDb, testWorkspace, file, true);
    const after = await exportWorkspace(testDb, testWorkspace);
    expect(after.sources.map((s) => s.name)).toEqual(['Web']);
    expect(after.connections).toHaveLength(2);
    expect(after.destinations.find((d) => d.name === 'Orders hook')?.config.url).toBe(
      'https://example.com/v2/{{event}}',
    );
    const stored = await testDb.destination.findFirstOrThrow({
      where: { workspaceId: testWorkspace, name: 'Orders hook' },
    });
    expect(stored.encryptedSecrets).not.toContain('test-env');
    expect(JSON.stringify(stored.config)).not.toContain('test-env');
  });

  it('refuses a file that rewrites a published transformation version or names what does not exist', async () => {
    const file = WorkspaceFile.parse(await exportWorkspace(testDb, testWorkspace));
    const [first] = file.transformations;
    if (!first?.versions[0]) throw new Error('the export lost a transformation');
    first.versions[0].code = 'export function transformEvent(e) { return null; }';
    await expect(planApply(testDb, testWorkspace, file, { prune: false })).rejects.toThrow(
      /Versions are immutable/,
    );

    const broken = WorkspaceFile.safeParse({
      version: 1,
      connections: [{ source: 'Nope', destination: 'Gone' }],
    });
    expect(broken.success).toBe(false);
    expect(broken.error?.issues.map((i) => i.message)).toEqual([
      'no source named "Nope"',
      'no destination named "Gone"',
    ]);

    // A file is held to the rules the web app and the API apply.
    const outOfBounds = WorkspaceFile.safeParse({
      version: 1,
      sources: [{ name: 'x'.repeat(101), type: 'http', rateLimitPerSecond: 2_000_000 }],
      destinations: [{ name: 'Hook', type: 'webhook' }],
      connections: [
        {
          source: 'x'.repeat(101),
          destination: 'Hook',
          filterMode: 'allow',
          filterEvents: ['Signed Up', ' '],
        },
      ],
    });
    expect(
      outOfBounds.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      JSON.stringify(outOfBounds.error?.issues),
    ).toEqual([
      'sources.0.name: use at most 100 characters',
      'sources.0.rateLimitPerSecond: at most 1,000,000 events per second',
      'connections.0.filterEvents.1: an event name cannot be empty',
    ]);
  });
});

// Each call starts a TypeScript process, which takes seconds on a busy machine.
describe('npm run keel', () => {
  const env = () => ({
    ...process.env,
    DATABASE_URL: dev.url,
    KEEL_SECRET_KEY: secretKey.toString('base64'),
    LOG_LEVEL: 'silent',
  });
  const keel = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', main, ...args], { env: env() }).catch(
      (error: { code: number; stdout: string; stderr: string }) => ({ ...error, failed: true }),
    );

  it('prints help for every command', async () => {
    const overview = await keel(['--help']);
    expect(overview.stdout).toContain('workspace apply FILE --workspace ID');
    const one = await keel(['workspace', 'export', '--help']);
    expect(one.stdout).toContain('Usage: npm run keel -- workspace export');
    expect(one.stdout).toContain('DATABASE_URL');
  }, 120_000);

  it('exports as JSON and applies a file only with --yes', async () => {
    const exported = await keel(['workspace', 'export', '--workspace', devWorkspace, '--format', 'json']);
    expect(JSON.parse(exported.stdout)).toEqual(await exportWorkspace(devDb, devWorkspace));

    const dir = await mkdtemp(path.join(os.tmpdir(), 'keel-cli-'));
    const file = path.join(dir, 'workspace.yaml');
    const parsed = JSON.parse(exported.stdout);
    parsed.sources[0].rateLimitPerSecond = 50;
    await writeFile(file, YAML.stringify(parsed));
    const dry = await keel(['workspace', 'apply', file, '--workspace', devWorkspace]);
    expect(dry.stdout).toContain('~ source "Backend"');
    expect(dry.stdout).toContain('run again with --yes');
    expect(
      (await devDb.source.findFirstOrThrow({ where: { name: 'Backend' } })).rateLimitPerSecond,
    ).toBeNull();
    const applied = await keel(['workspace', 'apply', file, '--workspace', devWorkspace, '--yes']);
    expect(applied.stdout).toContain('Applied 1 change(s)');
    expect((await devDb.source.findFirstOrThrow({ where: { name: 'Backend' } })).rateLimitPerSecond).toBe(50);

    const bad = await keel(['workspace', 'export', '--workspace', 'ws_missing']);
    expect(bad.stderr).toContain('Workspace ws_missing was not found');
  }, 120_000);
});
