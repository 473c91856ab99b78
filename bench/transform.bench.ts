// `npm run bench -- transform [--events 40000] [--sandbox-seconds 5] [--rounds 3]`: what a trivial user
// transformation costs. (1) The sandbox alone: events/s through a SandboxPool child process
// against a no-op baseline (the same batches serialised but not run), and the CPU it takes to
// carry 10,000 events/s. (2) The pipeline: a backlog of events through processor → router →
// a webhook sink, once without and once with the transformation; the target is that
// the transformation costs at most 25% of the pipeline's throughput.
// Set DATABASE_URL to use a running Postgres; otherwise an embedded one is started.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { dataPlaneMigrations, ensureDatabase, migrate, withClient, withDatabase } from '@keel/postgres';
import type { TransformationMetadata, WorkspaceConfig } from '@keel/shared';
import { SandboxPool } from '@keel/transform';
import pg from 'pg';
import { buildDataPlane } from '../apps/dataplane/src/app';
import { MemoryConfigStore } from '../apps/dataplane/src/config/memory-store';
import { storeEvents } from '../apps/dataplane/src/delivery/testing';
import { loadEnv } from '../apps/dataplane/src/env';
import type { GatewayJob } from '../apps/dataplane/src/jobsdb/gateway-jobs';
import { benchArgs } from './lib/args';
import { benchPostgresServer } from './lib/postgres-server';
import { benchWorkspaceConfig } from './lib/workspace-config';

const values = benchArgs(
  'Usage: npm run bench -- transform [options]\n\nWhat a trivial user transformation costs: the sandbox alone, and the pipeline with and without it.',
  {
    events: { help: 'events in the pipeline backlog', default: '40000' },
    'sandbox-seconds': { help: 'seconds of the sandbox-only phase', default: '5' },
    rounds: { help: 'pipeline rounds with and without the transformation', default: '3' },
  },
);
const EVENTS = Number(values.events);
const SANDBOX_SECONDS = Number(values['sandbox-seconds']);
const ROUNDS = Number(values.rounds);
const TRIVIAL = `export function transformEvent(event) {
  event.properties = { ...event.properties, transformed: true };
  return event;
}`;
const BATCH = 2000; // the processor's default PROCESSOR_BATCH_SIZE

function event(i: number) {
  return {
    type: 'track',
    event: 'Product Viewed',
    userId: `u${i % 1000}`,
    messageId: `m-${i}`,
    receivedAt: new Date().toISOString(),
    context: { library: { name: 'bench' }, ip: '203.0.113.7' },
    properties: { sku: `sku-${i % 50}`, price: 19.99, seq: i },
  };
}
const meta = (i: number): TransformationMetadata => ({
  sourceId: 'src_bench',
  sourceName: 'Bench',
  destinationId: 'dst_bench',
  destinationType: 'webhook',
  messageId: `m-${i}`,
});

/** CPU seconds used so far by this process and its children (the sandbox processes). */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  let children = 0;
  for (const line of readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').split(' ')) {
    if (!line.trim()) continue;
    try {
      const fields = readFileSync(`/proc/${line.trim()}/stat`, 'utf8').split(') ')[1]!.split(' ');
      children += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks
    } catch {
      // The child exited between listing and reading.
    }
  }
  return (self.user + self.system) / 1e6 + children;
}

// ------------------------------------------------------------ (1) the sandbox alone
async function sandboxAlone(): Promise<void> {
  const pool = new SandboxPool();
  const events = Array.from({ length: BATCH }, (_v, i) => event(i));
  const metadata = events.map((_e, i) => meta(i));
  await pool.run({ code: TRIVIAL, allowFetch: false }, events, metadata); // warm: start + compile

  const measure = async (work: () => Promise<unknown>) => {
    let done = 0;
    const started = performance.now();
    while (performance.now() - started < SANDBOX_SECONDS * 1000) {
      await work();
      done += BATCH;
    }
    return done / ((performance.now() - started) / 1000);
  };
  // The no-op baseline: what the processor does with the batch anyway (serialise it once).
  const baseline = await measure(async () => JSON.parse(JSON.stringify({ events, metadata })));
  const sandbox = await measure(async () => {
    const run = await pool.run({ code: TRIVIAL, allowFetch: false }, events, metadata);
    if (run.error) throw new Error(run.error);
  });

  // 10,000 events/s offered in 2,000-event batches every 200 ms: the CPU that costs.
  const cpuBefore = cpuSeconds();
  const paced = performance.now();
  let sent = 0;
  for (let tick = 0; tick < SANDBOX_SECONDS * 5; tick++) {
    await pool.run({ code: TRIVIAL, allowFetch: false }, events, metadata);
    sent += BATCH;
    const next = paced + (tick + 1) * 200;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const elapsed = (performance.now() - paced) / 1000;
  const cpu = cpuSeconds() - cpuBefore;
  await pool.close();

  console.log('(1) sandbox alone, trivial transformEvent, 2,000-event batches');
  console.log(`    no-op baseline (serialise only): ${Math.round(baseline).toLocaleString()} events/s`);
  console.log(`    through the sandbox process:     ${Math.round(sandbox).toLocaleString()} events/s`);
  console.log(
    `    paced at 10,000 events/s offered: ${Math.round(sent / elapsed).toLocaleString()} events/s carried, ${((cpu / elapsed) * 100).toFixed(1)}% of one core (host + sandbox)`,
  );
  console.log(`    CPU per 1,000 events (contention-proof): ${((cpu * 1e6) / sent).toFixed(1)} ms`);
}

// ------------------------------------------------------------ (2) the pipeline
/** A Postgres server (DATABASE_URL's, or an embedded one) and a fresh migrated database per run. */
async function benchServer(): Promise<{
  freshDatabase(label: string): Promise<string>;
  stop(): Promise<void>;
}> {
  const server = await benchPostgresServer();
  const serverUrl = server.url;
  const names: string[] = [];
  return {
    async freshDatabase(label) {
      const name = `keel_bench_transform_${process.pid}_${label}`;
      names.push(name);
      const url = withDatabase(serverUrl, name);
      await ensureDatabase(url);
      await withClient(url, (client) => migrate(client, dataPlaneMigrations));
      return url;
    },
    async stop() {
      await withClient(withDatabase(serverUrl, 'postgres'), async (c) => {
        for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
      await server.stop();
    },
  };
}

function pipelineConfig(sinkUrl: string, code: string | null): WorkspaceConfig {
  return benchWorkspaceConfig({
    version: code ? 'with' : 'without',
    writeKey: { id: 'wk', key: 'bench-key' },
    sink: {
      id: 'dst_bench',
      url: sinkUrl,
      batchingEnabled: true,
      maxBatchWaitMs: 20,
      transformations: code ? [{ id: 'trf_bench', versionId: 'trv_bench', name: 'Trivial', code }] : [],
    },
  });
}

interface RunFigures {
  /** Events/s from the first delivery to the last: the drain rate, without start-up. */
  rate: number;
  /** CPU ms per 1,000 events of this process (data plane + sink) and the sandbox processes. */
  cpuMsPerThousand: number;
}

async function pipelineRun(url: string, code: string | null, run: number): Promise<RunFigures> {
  let received = 0;
  let transformed = 0;
  let firstAt = 0;
  let cpuAtFirst = 0;
  const sink = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{
        properties?: { transformed?: boolean };
      }>;
      if (firstAt === 0) {
        firstAt = performance.now();
        cpuAtFirst = cpuSeconds();
      }
      for (const e of Array.isArray(body) ? body : [body]) {
        received++;
        if (e.properties?.transformed) transformed++;
      }
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;

  // A backlog first, then start the pipeline: its throughput is how fast it drains.
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  for (let i = 0; i < EVENTS; i += 5000) {
    const jobs: GatewayJob[] = [];
    for (let j = i; j < Math.min(EVENTS, i + 5000); j++) {
      const e = { ...event(j), messageId: `r${run}-${j}` };
      jobs.push({
        workspaceId: 'ws_bench',
        sourceId: 'src_bench',
        userKey: e.userId,
        messageId: e.messageId,
        receivedAt: new Date(),
        payload: JSON.stringify(e),
      });
    }
    await storeEvents(pool, jobs);
  }
  const env = loadEnv({
    DATABASE_URL: url,
    DATA_PLANE_TOKEN: 'bench',
    CONFIG_BACKEND_URL: 'http://127.0.0.1:9',
    ROLES: 'processor,router',
    LOG_LEVEL: 'silent',
  });
  const started = performance.now();
  const app = await buildDataPlane({
    env,
    pool,
    config: new MemoryConfigStore(pipelineConfig(sinkUrl, code)),
    logger: false,
  });
  while (received < EVENTS) {
    if (performance.now() - started > 300_000)
      throw new Error(`only ${received} of ${EVENTS} events arrived in 5 minutes`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - firstAt) / 1000;
  const cpu = cpuSeconds() - cpuAtFirst;
  await app.close();
  await pool.end();
  sink.closeAllConnections();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
  if (code && transformed !== EVENTS) throw new Error(`${transformed} of ${EVENTS} events were transformed`);
  return { rate: EVENTS / seconds, cpuMsPerThousand: (cpu * 1000 * 1000) / EVENTS };
}

async function pipeline(): Promise<void> {
  const server = await benchServer();
  // Each run drains its own fresh database, so runs cannot leave work or state to each other.
  const run = async (code: string | null, n: number) =>
    pipelineRun(await server.freshDatabase(`r${n}`), code, n);
  try {
    // Alternate the two so background load on the shared machine hits both alike.
    const without: RunFigures[] = [];
    const withTransformation: RunFigures[] = [];
    // A warm-up pair first, not counted: the first run pays for JIT and job-table partitions.
    await run(null, 1000);
    await run(TRIVIAL, 1001);
    for (let round = 0; round < ROUNDS; round++) {
      without.push(await run(null, round * 2));
      withTransformation.push(await run(TRIVIAL, round * 2 + 1));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const show = (runs: RunFigures[]) =>
      `${runs.map((r) => Math.round(r.rate).toLocaleString()).join(', ')} events/s; CPU ${runs
        .map((r) => r.cpuMsPerThousand.toFixed(0))
        .join(', ')} ms per 1,000 events`;
    const rateRatio = median(withTransformation.map((r) => r.rate)) / median(without.map((r) => r.rate));
    const cpuRatio =
      median(without.map((r) => r.cpuMsPerThousand)) /
      median(withTransformation.map((r) => r.cpuMsPerThousand));
    console.log(
      `(2) pipeline: ${EVENTS.toLocaleString()}-event backlog, processor + router → webhook (batches of 100)`,
    );
    console.log(`    without transformation: ${show(without)}`);
    console.log(`    with the trivial one:   ${show(withTransformation)}`);
    console.log(
      `    drain rate, median with / median without:  ${rateRatio.toFixed(2)} (cost ${((1 - rateRatio) * 100).toFixed(0)}%)`,
    );
    console.log(
      `    CPU per event, without / with (contention-proof): ${cpuRatio.toFixed(2)} (cost ${((1 - cpuRatio) * 100).toFixed(0)}%)`,
    );
    console.log('    target: the transformation costs at most 25% of the throughput');
  } finally {
    await server.stop();
  }
}

console.log(
  `cores: ${os.cpus().length}, load average: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await sandboxAlone();
await pipeline();
