// `npm run bench -- pipeline-sql [--rounds N]`: the Postgres CPU that each of the pipeline's
// statements costs per event, measured on the server process itself (/proc/<backend pid>/stat)
// on an otherwise idle server: where the end-to-end benchmark's Postgres time goes, one
// statement at a time. Batches of 2,000 events, as the processor reads them; the router's
// statuses as a batched webhook writes them (one row per 100-event request).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dataPlaneMigrations, migrate, withClient, withDatabase } from '@keel/postgres';
import pg from 'pg';
import { runScript } from '../apps/dataplane/src/jobsdb/copy';
import { appendGatewayJobs, type GatewayJob } from '../apps/dataplane/src/jobsdb/gateway-jobs';
import { markGatewayDoneSql, readGatewayJobs } from '../apps/dataplane/src/jobsdb/gateway-reader';
import {
  ensurePartitionsAhead,
  GATEWAY_FAMILY,
  ROUTER_FAMILY,
} from '../apps/dataplane/src/jobsdb/partitions';
import {
  loadPendingRouterJobs,
  type NewRouterJob,
  type RouterStatusRow,
  routerJobsSteps,
  routerStatusesStep,
} from '../apps/dataplane/src/jobsdb/router-jobs';
import { ensureDedupPartitions, findSeen, rememberIdsStep } from '../apps/dataplane/src/processor/dedup';
import { benchArgs } from './lib/args';
import { benchPostgresServer } from './lib/postgres-server';

const args = benchArgs(
  "Usage: npm run bench -- pipeline-sql [options]\n\nPostgres CPU per event of each pipeline statement, read from the server process's /proc entry.\nUses DATABASE_URL if set (the server must run on this machine), else an embedded Postgres.",
  { rounds: { help: 'batches of 2,000 events', default: '40' } },
);
const ROUNDS = Number(args.rounds);
const BATCH = 2_000;
const SHARDS = 8;
const ENVELOPE =
  '{"method":"POST","url":"http://127.0.0.1:1/hook","headers":{"content-type":"application/json"}}';

function eventJson(seq: number, userId: string, messageId: string, at: string): string {
  return JSON.stringify({
    type: 'track',
    event: 'Bench Event',
    userId,
    properties: { seq, plan: 'pro', amount: 12.5, tags: ['a', 'b'] },
    context: { library: { name: 'keel-bench', version: '1' }, locale: 'en-US' },
    timestamp: at,
    messageId,
    receivedAt: at,
    request_ip: '127.0.0.1',
    sentAt: at,
  });
}

const { url: serverUrl, stop } = await benchPostgresServer();
const url = withDatabase(serverUrl, `keel_bench_sql_${process.pid}`);
await withClient(withDatabase(serverUrl, 'postgres'), (admin) =>
  admin.query(`CREATE DATABASE keel_bench_sql_${process.pid}`),
);
const client = new pg.Client(url);
try {
  await client.connect();
  await migrate(client, dataPlaneMigrations);
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  const statPath = `/proc/${pid}/stat`;
  /** The backend's CPU time in µs (utime + stime, in clock ticks of 10 ms). */
  const backendCpu = () => {
    const fields = readFileSync(statPath, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  };
  for (const family of [GATEWAY_FAMILY, ROUTER_FAMILY])
    await ensurePartitionsAhead(client, family, 200_000, 2);
  await ensureDedupPartitions(client, 1);

  const costs = new Map<string, number>();
  const measure = async (name: string, work: () => Promise<unknown>) => {
    const before = backendCpu();
    await work();
    costs.set(name, (costs.get(name) ?? 0) + backendCpu() - before);
  };
  let position = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const at = new Date();
    const gateway: GatewayJob[] = Array.from({ length: BATCH }, (_, i) => {
      const messageId = randomUUID();
      const userId = `user-${(round * BATCH + i) % 1000}`;
      return {
        workspaceId: 'ws_bench',
        sourceId: 'src_bench',
        userKey: userId,
        messageId,
        receivedAt: at,
        payload: eventJson(i, userId, messageId, at.toISOString()),
      };
    });
    await measure('gateway: COPY into gw_jobs (the baseline)', async () => {
      await client.query('BEGIN');
      await appendGatewayJobs(client, gateway);
      await client.query('COMMIT');
    });
    let jobs: Awaited<ReturnType<typeof readGatewayJobs>> = [];
    await measure('processor: read gw_jobs', async () => {
      jobs = await readGatewayJobs(client, position, BATCH);
    });
    const keys = jobs.map((j) => ({ sourceId: j.sourceId, messageId: j.messageId }));
    await measure('processor: dedup lookup', () => findSeen(client, 1, keys));
    const routerJobs: NewRouterJob[] = jobs.map((j) => ({
      workspaceId: j.workspaceId,
      sourceId: j.sourceId,
      destinationId: 'dst_sink',
      shard: j.jobId % SHARDS,
      userKey: j.userKey,
      ordered: true,
      messageId: j.messageId,
      receivedAt: j.receivedAt,
      replayOf: null,
      payload: ENVELOPE,
      body: null,
      gatewayJobId: j.jobId,
      eventLabel: null,
    }));
    const first = jobs[0]?.jobId ?? 0;
    const last = jobs.at(-1)?.jobId ?? 0;
    position = last;
    await measure('processor: router jobs COPY', () =>
      runScript(client, ['BEGIN', markGatewayDoneSql(first, last), ...routerJobsSteps(routerJobs), 'COMMIT']),
    );
    await measure('processor: dedup ids COPY', () =>
      runScript(client, ['BEGIN', rememberIdsStep(1, keys), 'COMMIT']),
    );
    // As a router that holds its leases since before these jobs: no status lookup.
    const reads = Array.from({ length: SHARDS }, (_, shard) => ({
      shard,
      afterJobId: round * BATCH,
      limit: BATCH,
      statusesUpTo: 0,
    }));
    await measure('router: read jobs and their events', () =>
      loadPendingRouterJobs(client, 'dst_sink', reads),
    );
    const statuses: RouterStatusRow[] = routerJobs.map((_, i) => ({
      jobId: round * BATCH + i + 1,
      status: 'delivered',
      attempt: 1,
      errorCode: '',
      // One response per 100 jobs, as the batched webhook's.
      at: new Date(at.getTime() + Math.floor(i / 100)),
      detail: null,
    }));
    await measure('router: statuses COPY', () =>
      runScript(client, ['BEGIN', routerStatusesStep(statuses), 'COMMIT']),
    );
  }

  let pipeline = 0;
  console.log(
    `Postgres CPU per event, ${ROUNDS} batches of ${BATCH} (10 ms clock ticks: ±${(10_000 / (ROUNDS * BATCH)).toFixed(2)} µs)`,
  );
  for (const [name, micros] of costs) {
    const perEvent = micros / (ROUNDS * BATCH);
    if (!name.startsWith('gateway')) pipeline += perEvent;
    console.log(`  ${name.padEnd(44)} ${perEvent.toFixed(2)} µs`);
  }
  console.log(`  ${'pipeline after the gateway, in all'.padEnd(44)} ${pipeline.toFixed(2)} µs`);
} finally {
  await client.end().catch(() => {});
  await withClient(withDatabase(serverUrl, 'postgres'), (admin) =>
    admin.query(`DROP DATABASE IF EXISTS keel_bench_sql_${process.pid} WITH (FORCE)`),
  );
  await stop();
}
