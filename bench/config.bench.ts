import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { request } from 'undici';
import { buildConfigBackend } from '../apps/config-backend/src/app';
import { createPrisma } from '../apps/config-backend/src/db';
import { ensureInstanceDataPlaneToken } from '../apps/config-backend/src/domain/data-plane-tokens';
import { encryptSecrets } from '../apps/config-backend/src/domain/secrets';
import { buildWorkspaceConfig } from '../apps/config-backend/src/domain/workspace-config';
import { loadEnv } from '../apps/config-backend/src/env';
import { benchControlPlaneDatabase, summary } from './control-plane-db';
import { benchArgs } from './lib/args';

// `npm run bench -- config [--requests N]`: p95 of GET /data-plane/v1/config for a workspace
// with 200 sources and 200 destinations (400 connections, a transformation on a quarter of
// them), over real HTTP. Measures the uncached build, cached 200s, 304s, and how long a
// long-poll takes to wake after a change commits.

const args = benchArgs(
  "Usage: npm run bench -- config [options]\n\np95 of the data plane's config endpoint for a workspace of 200 sources and 200 destinations.",
  {
    requests: { help: 'requests per measured phase', default: '1000' },
  },
);
const requests = Number(args.requests);
const SOURCES = 200;
const DESTINATIONS = 200;

const db = await benchControlPlaneDatabase('config');
const secretKey = randomBytes(32);
const pool = new pg.Pool({ connectionString: db.url, max: 5 });
const prisma = createPrisma(db.url);

async function seed(): Promise<void> {
  const ws = 'ws_bench';
  await pool.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'Bench')`, [ws]);
  const sealed = encryptSecrets({ secretHeaderValue: 'Bearer bench-secret' }, secretKey);
  await pool.query(
    `INSERT INTO sources (id, workspace_id, name, type, rate_limit_per_second)
     SELECT 'src_' || i, $1, 'Source ' || i, 'javascript', CASE WHEN i % 4 = 0 THEN 500 END FROM generate_series(1, $2) i`,
    [ws, SOURCES],
  );
  await pool.query(
    `INSERT INTO write_keys (id, source_id, name, key)
     SELECT 'wk_' || i, 'src_' || i, 'default', 'key_' || md5(i::text) FROM generate_series(1, $1) i`,
    [SOURCES],
  );
  await pool.query(
    `INSERT INTO destinations (id, workspace_id, name, type, config, encrypted_secrets)
     SELECT 'dst_' || i, $1, 'Destination ' || i, 'webhook',
       jsonb_build_object('url', 'https://hooks.example.com/' || i || '/{{event}}', 'method', 'POST',
         'headers', jsonb_build_array(jsonb_build_object('name', 'x-team', 'value', 'growth')),
         'batchingEnabled', i % 2 = 0, 'maxBatchSize', 100, 'maxBatchWaitMs', 1000), $3
     FROM generate_series(1, $2) i`,
    [ws, DESTINATIONS, sealed],
  );
  await pool.query(`INSERT INTO transformations (id, workspace_id, name) VALUES ('tr_1', $1, 'Clean up')`, [
    ws,
  ]);
  await pool.query(
    `INSERT INTO transformation_versions (id, transformation_id, number, code) VALUES ('tv_1', 'tr_1', 1, $1)`,
    [`export function transformEvent(event) {\n  delete event.context.ip;\n  return event;\n}\n`.repeat(10)],
  );
  await pool.query(
    `INSERT INTO connections (id, workspace_id, source_id, destination_id, filter_mode, filter_events,
       consent_categories, transformation_version_id)
     SELECT 'con_' || s || '_' || k, $1, 'src_' || s, 'dst_' || (((s + k * 37) % $2) + 1),
       CASE WHEN s % 3 = 0 THEN 'deny'::"FilterMode" ELSE 'none'::"FilterMode" END,
       CASE WHEN s % 3 = 0 THEN ARRAY['Spam', 'Test'] ELSE ARRAY[]::text[] END,
       ARRAY['analytics'], CASE WHEN s % 4 = 0 THEN 'tv_1' END
     FROM generate_series(1, $3) s, generate_series(0, 1) k`,
    [ws, DESTINATIONS, SOURCES],
  );
}

function fmt(ms: number): string {
  return `${ms.toFixed(2)} ms`;
}

try {
  await seed();
  const token = `keel_dp_${randomBytes(24).toString('base64url')}`;
  await ensureInstanceDataPlaneToken(prisma, token);

  // 1. The uncached build alone: four reads in one snapshot, decrypt, validate, hash.
  const builds: number[] = [];
  let size = 0;
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    const config = await buildWorkspaceConfig(pool, { workspaceId: 'ws_bench' }, secretKey);
    builds.push(performance.now() - start);
    size = JSON.stringify(config).length;
  }

  const env = loadEnv({
    DATABASE_URL: db.url,
    KEEL_SECRET_KEY: secretKey.toString('base64'),
    LOG_LEVEL: 'warn',
  });
  const app = await buildConfigBackend({ env, prisma, pool });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `${address}/data-plane/v1/config`;
  const headers = { authorization: `Bearer ${token}` };

  // 2. Cached 200s: what every data plane's first poll after a change costs.
  const full: number[] = [];
  let etag = '';
  for (let i = 0; i < requests; i++) {
    const start = performance.now();
    const res = await request(url, { headers });
    await res.body.text();
    full.push(performance.now() - start);
    etag = String(res.headers.etag);
  }

  // 3. 304s: what every steady-state poll costs.
  const notModified: number[] = [];
  for (let i = 0; i < requests; i++) {
    const start = performance.now();
    const res = await request(url, { headers: { ...headers, 'if-none-match': etag } });
    await res.body.dump();
    if (res.statusCode !== 304) throw new Error(`expected 304, got ${res.statusCode}`);
    notModified.push(performance.now() - start);
  }

  // 4. A change wakes a long-poll: commit → response with the new config.
  const wakes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const current = await request(url, { headers });
    await current.body.dump();
    const before = String(current.headers.etag);
    const waiting = request(`${url}?wait=30`, { headers: { ...headers, 'if-none-match': before } });
    await new Promise((r) => setTimeout(r, 100));
    const start = performance.now();
    await pool.query(`UPDATE destinations SET name = $1 WHERE id = 'dst_1'`, [`Destination 1 (${i})`]);
    const res = await waiting;
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`long-poll answered ${res.statusCode}`);
    wakes.push(performance.now() - start);
  }

  await app.close();
  const rows = [
    ['uncached build (30×)', summary(builds)],
    [`GET 200, cached (${requests}×)`, summary(full)],
    [`GET 304 (${requests}×)`, summary(notModified)],
    ['long-poll wake after a change (10×)', summary(wakes)],
  ] as const;
  console.log(
    `\nGET /data-plane/v1/config — ${SOURCES} sources, ${DESTINATIONS} destinations, ${SOURCES * 2} connections, ` +
      `${(size / 1024).toFixed(0)} KiB of JSON\n`,
  );
  console.log(
    'case'.padEnd(40),
    'p50'.padStart(10),
    'p95'.padStart(10),
    'p99'.padStart(10),
    'max'.padStart(10),
  );
  for (const [name, s] of rows) {
    console.log(
      name.padEnd(40),
      fmt(s.p50).padStart(10),
      fmt(s.p95).padStart(10),
      fmt(s.p99).padStart(10),
      fmt(s.max).padStart(10),
    );
  }
} finally {
  await prisma.$disconnect();
  await pool.end();
  await db.stop();
}
