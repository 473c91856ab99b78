import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { request } from 'undici';
import { buildConfigBackend } from '../apps/config-backend/src/app';
import { createPrisma } from '../apps/config-backend/src/db';
import { createApiToken } from '../apps/config-backend/src/domain/api-tokens';
import { loadEnv } from '../apps/config-backend/src/env';
import { benchControlPlaneDatabase, summary } from './control-plane-db';
import { benchArgs } from './lib/args';
import { seedDeliveryReports } from './lib/seed-reports';

// `npm run bench -- dashboard [--runs N]`: the delivery dashboard's reads over 30 days of
// per-minute aggregates that add up to 10 million delivered events (10 source→destination
// pairs, one row per pair and minute, plus retry/abort/drop rows), through tRPC over HTTP.

const args = benchArgs(
  "Usage: npm run bench -- dashboard [options]\n\nThe delivery dashboard's reads over 30 days of aggregates of 10 million delivered events.",
  {
    runs: { help: 'measured runs', default: '20' },
  },
);
const runs = Number(args.runs);
const DAYS = 30;
const PAIRS = 10;
const DELIVERED = 10_000_000;

const db = await benchControlPlaneDatabase('dashboard');
const pool = new pg.Pool({ connectionString: db.url, max: 5 });
const prisma = createPrisma(db.url);
const ws = 'ws_bench';
const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const start = new Date(end.getTime() - DAYS * 86_400_000);

async function seed(): Promise<number> {
  await pool.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'Bench')`, [ws]);
  await pool.query(
    `INSERT INTO sources (id, workspace_id, name, type) SELECT 'src_' || i, $1, 'Source ' || i, 'server'
     FROM generate_series(0, 4) i`,
    [ws],
  );
  await seedDeliveryReports(pool, {
    workspaceId: ws,
    start,
    days: DAYS,
    pairs: PAIRS,
    delivered: DELIVERED,
    problems: [
      { status: 'retrying', errorCode: '503' },
      { status: 'aborted', errorCode: '400' },
      { status: 'dropped', errorCode: 'filtered' },
    ],
  });
  const { rows } = await pool.query<{ n: string; delivered: string }>(
    `SELECT count(*) AS n, sum(count) FILTER (WHERE status = 'delivered') AS delivered FROM delivery_reports`,
  );
  console.log(
    `seeded ${rows[0]?.n} aggregate rows, ${Number(rows[0]?.delivered).toLocaleString('en')} delivered events`,
  );
  return Number(rows[0]?.n);
}

try {
  await seed();
  await pool.query(
    `INSERT INTO users (id, email, name, password_hash) VALUES ('usr_b', 'b@example.com', 'B', 'x')`,
  );
  const { token } = await createApiToken(prisma, { type: 'system', id: null }, ws, {
    name: 'bench',
    role: 'viewer',
  });
  const env = loadEnv({
    DATABASE_URL: db.url,
    KEEL_SECRET_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  });
  const app = await buildConfigBackend({ env, prisma, pool });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  async function timeQuery(path: string, input: object): Promise<number[]> {
    const times: number[] = [];
    const url = `${address}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await request(url, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${body}`);
      times.push(performance.now() - t0);
    }
    return times;
  }

  const month = { workspaceId: ws, from: start.toISOString(), to: end.toISOString() };
  const week = {
    workspaceId: ws,
    from: new Date(end.getTime() - 7 * 86_400_000).toISOString(),
    to: end.toISOString(),
  };
  const cases = [
    ['reports.timeseries, 30 days (daily)', await timeQuery('reports.timeseries', month)],
    [
      'reports.timeseries, 30 days, 1 destination',
      await timeQuery('reports.timeseries', { ...month, destinationId: 'dst_3' }),
    ],
    ['reports.timeseries, 7 days (hourly)', await timeQuery('reports.timeseries', week)],
    ['reports.errors, 30 days', await timeQuery('reports.errors', month)],
    ['reports.sourceVolumes, 24 h', await timeQuery('reports.sourceVolumes', { workspaceId: ws })],
  ] as const;
  await app.close();
  console.log(`\nDashboard reads over ${DAYS} days, ${runs} runs each, tRPC over HTTP\n`);
  console.log('query'.padEnd(46), 'p50'.padStart(10), 'p95'.padStart(10), 'max'.padStart(10));
  for (const [name, times] of cases) {
    const s = summary(times);
    console.log(
      name.padEnd(46),
      `${s.p50.toFixed(0)} ms`.padStart(10),
      `${s.p95.toFixed(0)} ms`.padStart(10),
      `${s.max.toFixed(0)} ms`.padStart(10),
    );
  }
} finally {
  await prisma.$disconnect();
  await pool.end();
  await db.stop();
}
