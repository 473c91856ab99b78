import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { AppRouter } from '@keel/config-backend/router';
import type { inferRouterOutputs } from '@trpc/server';
import pg from 'pg';
import { createElement, type FunctionComponent } from 'react';
import { renderToString } from 'react-dom/server';
import { request } from 'undici';
import { buildConfigBackend } from '../apps/config-backend/src/app';
import { createPrisma } from '../apps/config-backend/src/db';
import { createApiToken } from '../apps/config-backend/src/domain/api-tokens';
import { loadEnv } from '../apps/config-backend/src/env';
import { benchControlPlaneDatabase, summary } from './control-plane-db';
import { benchArgs } from './lib/args';
import { seedDeliveryReports } from './lib/seed-reports';

// `npm run bench -- dashboard-render [--runs N]`: what the delivery dashboard does for a
// 30-day range over aggregates of 10 million delivered events. Each run fetches the time
// series and the error groups in parallel through tRPC over HTTP (as the page does), parses
// them, and renders the figures and charts to HTML with React. The budget is 1 s per run.

// The web app's components use the automatic JSX runtime, set in apps/web/tsconfig.json, so
// the bench runs itself again with tsx reading that file (the marker argument says it has).
const webTsconfig = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../apps/web/tsconfig.json');
const REEXEC = '--with-web-tsconfig';
if (!process.argv.includes(REEXEC)) {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), REEXEC, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, TSX_TSCONFIG_PATH: webTsconfig, NODE_ENV: 'production' },
    },
  );
  process.exit(child.status ?? 1);
}

type Timeseries = inferRouterOutputs<AppRouter>['reports']['timeseries'];
// Loaded by path so the root typecheck, which has no JSX settings, does not compile the .tsx.
const figuresModule = '../apps/web/src/components/delivery-dashboard';
const { DeliveryFigures } = (await import(figuresModule)) as {
  DeliveryFigures: FunctionComponent<{ data: Timeseries }>;
};

const args = benchArgs(
  "Usage: npm run bench -- dashboard-render [options]\n\nThe delivery dashboard's fetch and render of a 30-day range; the budget is 1 s per run.",
  {
    runs: { help: 'measured runs', default: '20' },
  },
  process.argv.slice(2).filter((a) => a !== REEXEC),
);
const runs = Number(args.runs);
const DAYS = 30;
const PAIRS = 10;
const DELIVERED = 10_000_000;

const db = await benchControlPlaneDatabase('dashrender');
const pool = new pg.Pool({ connectionString: db.url, max: 5 });
const prisma = createPrisma(db.url);
const ws = 'ws_bench';
const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const start = new Date(end.getTime() - DAYS * 86_400_000);

async function seed(): Promise<void> {
  await pool.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'Bench')`, [ws]);
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
      { status: 'dropped', errorCode: 'consent' },
    ],
  });
}

async function get(address: string, token: string, procedure: string, input: object): Promise<unknown> {
  const url = `${address}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await request(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${procedure} answered ${res.statusCode}: ${body}`);
  return (JSON.parse(body) as { result: { data: unknown } }).result.data;
}

try {
  const t0 = performance.now();
  await seed();
  console.log(
    `seeded 30 days of aggregates (10,000,000 delivered events) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
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
  const range = { workspaceId: ws, from: start.toISOString(), to: end.toISOString() };

  const total: number[] = [];
  const render: number[] = [];
  let delivered = 0;
  let html = 0;
  for (let i = 0; i < runs; i++) {
    const begin = performance.now();
    const [series] = await Promise.all([
      get(address, token, 'reports.timeseries', range),
      get(address, token, 'reports.errors', range),
    ]);
    const data = series as Timeseries;
    const renderStart = performance.now();
    html = renderToString(createElement(DeliveryFigures, { data })).length;
    const done = performance.now();
    render.push(done - renderStart);
    total.push(done - begin);
    delivered = data.totals.delivered;
  }
  await app.close();
  if (delivered !== DELIVERED)
    throw new Error(`the dashboard counted ${delivered} delivered events, not ${DELIVERED}`);
  const t = summary(total);
  const r = summary(render);
  console.log(
    `\n30-day dashboard over ${DELIVERED.toLocaleString('en')} delivered events, ${runs} runs (${html} bytes of HTML)\n`,
  );
  console.log('step'.padEnd(44), 'p50'.padStart(9), 'p95'.padStart(9), 'max'.padStart(9));
  for (const [label, s] of [
    ['fetch timeseries + errors, parse, render', t],
    ['render figures and charts only', r],
  ] as const) {
    console.log(
      label.padEnd(44),
      `${s.p50.toFixed(0)} ms`.padStart(9),
      `${s.p95.toFixed(0)} ms`.padStart(9),
      `${s.max.toFixed(0)} ms`.padStart(9),
    );
  }
  console.log(`\n${t.p95 < 1000 ? 'within' : 'OVER'} the 1 s budget (p95 ${t.p95.toFixed(0)} ms)`);
  if (t.p95 >= 1000) process.exitCode = 1;
} finally {
  await prisma.$disconnect();
  await pool.end();
  await db.stop();
}
