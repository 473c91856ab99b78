import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { dataPlaneMigrations, ensureDatabase, migrate, withClient, withDatabase } from '@keel/postgres';
import { freePort } from '@keel/postgres/testing';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { buildDataPlane } from '../apps/dataplane/src/app';
import { MemoryConfigStore } from '../apps/dataplane/src/config/memory-store';
import { loadEnv } from '../apps/dataplane/src/env';
import { benchArgs } from './lib/args';
import { benchPostgresServer } from './lib/postgres-server';
import { buildRequest, RawConnection } from './lib/raw-http';
import { benchWorkspaceConfig } from './lib/workspace-config';

// `npm run bench -- gateway [--seconds N]`: (a) raw COPY baseline, (b) single-event requests/s,
// (c) /v1/batch of 100 at 64 connections, (d) p50/p99 at half of (b)'s load. The gateway runs
// in a child process; this process is the load generator. Uses DATABASE_URL if set, else an
// embedded Postgres in a temporary directory.

const WRITE_KEY = 'bench-write-key';
// The same file runs the gateway child (`--serve <database url> <port>`), which takes no options.
const serveArgs = process.argv.slice(2);
const serving = serveArgs[0] === '--serve';
const seconds = serving
  ? 0
  : Number(
      benchArgs(
        'Usage: npm run bench -- gateway [options]\n\nRaw COPY baseline, single-event and batched requests/s, and latency at half load.\nUses DATABASE_URL if set, else an embedded Postgres.',
        { seconds: { help: 'seconds per phase', default: '5' } },
      ).seconds,
    );

function sampleEvent(i: number): Record<string, unknown> {
  return {
    type: 'track',
    event: 'Order Completed',
    userId: `user-${i % 5000}`,
    anonymousId: '6f1d2a8e-3c4b-4f5a-9e7d-1b2c3d4e5f60',
    messageId: `bench-${process.pid}-${i}`,
    properties: { orderId: `o-${i}`, total: 129.99, currency: 'EUR', coupon: 'SPRING', items: 3 },
    context: {
      library: { name: 'analytics-node', version: '3.0.13' },
      ip: '203.0.113.9',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0',
    },
    originalTimestamp: '2026-11-26T10:00:00.000Z',
    sentAt: '2026-11-26T10:00:01.000Z',
    channel: 'server',
  };
}

/**
 * (a) The same event JSON as text rows by COPY, 1,000 per committed transaction, into a plain
 * table of gw_jobs' columns (not gw_jobs itself, whose partitions the gateway's maintenance owns).
 */
async function baseline(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `CREATE TABLE IF NOT EXISTS bench_copy_baseline (job_id BIGSERIAL PRIMARY KEY, workspace_id TEXT NOT NULL,
     source_id TEXT NOT NULL, user_key TEXT NOT NULL, message_id TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL,
     payload TEXT NOT NULL)`,
  );
  const receivedAt = new Date().toISOString();
  const copyEscape = (v: string) => v.replace(/\\/g, '\\\\');
  const text = Array.from({ length: 1000 }, (_, i) => {
    const payload = JSON.stringify({ ...sampleEvent(i), receivedAt });
    return `ws_bench\tsrc_bench\tuser-${i}\tm${i}\t${receivedAt}\t${copyEscape(payload)}\n`;
  }).join('');
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  let count = 0;
  while (Date.now() < end) {
    await client.query('BEGIN');
    const stream = client.query(
      copyFrom(
        'COPY bench_copy_baseline (workspace_id, source_id, user_key, message_id, received_at, payload) FROM STDIN',
      ),
    );
    await pipeline(Readable.from([text]), stream);
    await client.query('COMMIT');
    count += 1000;
  }
  await client.query('DROP TABLE bench_copy_baseline');
  await client.end();
  return count / ((Date.now() - started) / 1000);
}

/** Closed loop: each connection sends its next request as soon as the previous one is answered. */
async function closedLoop(
  port: number,
  path: string,
  body: string,
  connections: number,
  durationSeconds = seconds,
): Promise<number> {
  const request = buildRequest(port, path, body, WRITE_KEY);
  let ok = 0;
  let failed = 0;
  const end = Date.now() + durationSeconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const connection = new RawConnection(port);
      await connection.ready;
      while (Date.now() < end) {
        if ((await connection.send(request)) === 200) ok++;
        else failed++;
      }
      connection.close();
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  if (failed > 0) console.warn(`  ${path}: ${failed} requests failed`);
  return ok / elapsed;
}

/**
 * Open loop at a fixed rate over 64 connections. Each request has a scheduled time, and its
 * latency counts from then, so time spent queued behind a slow answer is included (no
 * coordinated omission).
 */
async function openLoop(
  port: number,
  ratePerSecond: number,
): Promise<{ p50: number; p99: number; errors: number }> {
  const connections = 64;
  const request = buildRequest(port, '/v1/track', JSON.stringify(sampleEvent(1)), WRITE_KEY);
  const intervalMs = (1000 * connections) / ratePerSecond;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now() + 50;
  const endAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const connection = new RawConnection(port);
      await connection.ready;
      for (let due = started + (c * intervalMs) / connections; due < endAt; due += intervalMs) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const status = await connection.send(request);
        if (status === 200) latencies.push(performance.now() - due);
        else errors++;
      }
      connection.close();
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), errors };
}

/**
 * Flushes what earlier phases left dirty, so that no phase pays for a checkpoint that the one
 * before it caused (measured: up to 20% of a phase's throughput).
 */
async function checkpoint(url: string): Promise<void> {
  await withClient(url, (client) => client.query('CHECKPOINT'));
}

/** Total µs that some process waited for a CPU (Linux PSI); 0 where unavailable. */
function cpuPressureMicros(): number {
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0] ?? '';
    return Number(/total=(\d+)/.exec(line)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const { url: serverUrl, stop: stopPostgres } = await benchPostgresServer();
  const url = withDatabase(serverUrl, `keel_bench_gateway_${process.pid}`);
  await ensureDatabase(url);
  await withClient(url, (client) => migrate(client, dataPlaneMigrations));

  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', url, String(port)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  });
  const childCpuMicros = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { cpuMicros: number }).cpuMicros));
      child.send('cpu');
    });
  /** Gateway CPU per unit of work in a phase, and how often processes waited for a CPU meanwhile. */
  const measured = async <T>(units: (result: T) => number, phase: () => Promise<T>) => {
    await checkpoint(url);
    const cpuBefore = await childCpuMicros();
    const pressureBefore = cpuPressureMicros();
    const started = performance.now();
    const result = await phase();
    const wallMicros = (performance.now() - started) * 1000;
    const cpuMicros = (await childCpuMicros()) - cpuBefore;
    const stalled = (cpuPressureMicros() - pressureBefore) / wallMicros;
    const note = `gateway CPU ${(cpuMicros / units(result)).toFixed(1)} µs each; CPU pressure ${(stalled * 100).toFixed(0)}%`;
    return { result, note };
  };
  try {
    console.log(
      `Gateway benchmark, ${seconds} s per phase, ${os.cpus().length} CPUs (shared with whatever else runs)`,
    );
    const a = await baseline(url);
    console.log(`(a) raw COPY, 1,000-row commits:        ${Math.round(a).toLocaleString('en')} rows/s`);
    await checkpoint(url);
    const single = JSON.stringify(sampleEvent(1));
    const batch = JSON.stringify({ batch: Array.from({ length: 100 }, (_, i) => sampleEvent(i)) });
    // Warm-up, not measured: a cold gateway spends several times the CPU per request in the JIT.
    await closedLoop(port, '/v1/track', single, 64, 2);
    await closedLoop(port, '/v1/batch', batch, 64, 1);
    const phaseB = await measured(
      (rate) => rate * seconds,
      () => closedLoop(port, '/v1/track', single, 64),
    );
    const b = phaseB.result;
    console.log(
      `(b) single-event /v1/track, 64 conns:   ${Math.round(b).toLocaleString('en')} req/s   (${phaseB.note})`,
    );
    const phaseC = await measured(
      (rate) => rate * seconds,
      async () => (await closedLoop(port, '/v1/batch', batch, 64)) * 100,
    );
    const c = phaseC.result;
    console.log(
      `(c) /v1/batch of 100, 64 conns:          ${Math.round(c).toLocaleString('en')} events/s   (${phaseC.note.replace('each', 'per event')})`,
    );
    await checkpoint(url);
    const d = await openLoop(port, b / 2);
    console.log(
      `(d) at ${Math.round(b / 2).toLocaleString('en')} req/s (half of b): p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms${d.errors ? `, ${d.errors} errors` : ''}`,
    );
    console.log(`ratios: (c)/(a) = ${(c / a).toFixed(2)}; (b)/(a) = ${(b / a).toFixed(3)}`);
    console.log(
      `targets: batched ≥ 100,000 ${c >= 100_000 ? 'met' : 'MISSED'}; single ≥ 15,000 ${b >= 15_000 ? 'met' : 'MISSED'}; (c)/(a) ≥ 0.5 ${c / a >= 0.5 ? 'met' : 'MISSED'}; p99 ≤ 20 ms ${d.p99 <= 20 ? 'met' : 'MISSED'}`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await withClient(withDatabase(serverUrl, 'postgres'), (admin) =>
      admin.query(`DROP DATABASE IF EXISTS keel_bench_gateway_${process.pid} WITH (FORCE)`),
    );
    await stopPostgres();
  }
}

// Dispatch last: the classes above must be initialised before main() runs.
if (serving) {
  // Child: the gateway alone, on the given database, serving one bench source.
  // GATEWAY_* settings pass through, so `GATEWAY_COMMIT_CONCURRENCY=4 npm run bench -- gateway` compares.
  const env = loadEnv({
    ...process.env,
    DATABASE_URL: serveArgs[1],
    DATAPLANE_DATABASE_URL: serveArgs[1],
    DATA_PLANE_TOKEN: 'bench',
    ROLES: 'gateway',
    LOG_LEVEL: 'warn',
  });
  const config = new MemoryConfigStore(
    benchWorkspaceConfig({ version: 'bench', writeKey: { id: 'wk', key: WRITE_KEY } }),
  );

  const app = await buildDataPlane({ env, config, logger: { level: 'warn' } });
  await app.listen({ host: '127.0.0.1', port: Number(serveArgs[2]) });
  process.send?.('ready');
  // The parent asks for this process's CPU time around each phase, to report µs per request.
  process.on('message', () => {
    const usage = process.cpuUsage();
    process.send?.({ cpuMicros: usage.user + usage.system });
  });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  await main();
}
