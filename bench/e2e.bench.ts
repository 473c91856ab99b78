// End-to-end benchmark: 1,000 users → gateway → processor → router → a webhook sink in its own
// process, with per-user ordering on. `npm run bench -- e2e [--seconds 60] [--gateway-seconds 15]
// [--connections 16] [--phases gateway,batched,unbatched] [--half-load N] [--cpu-prof-dir DIR]`.
// Gateway-only runs before the batched phase and again after it, and the ratio is taken against
// the mean. The latency phase also measures the CPU per delivered event at that fixed rate, of
// the data plane and of the whole machine: at a fixed rate it varies far less than the peak does.
// Set DATABASE_URL to use a running Postgres; otherwise an embedded one is started in a temp dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataPlaneMigrations, migrate, withClient, withDatabase } from '@keel/postgres';
import { freePort } from '@keel/postgres/testing';
import type { WorkspaceConfig } from '@keel/shared';
import { request } from 'undici';
import { DATA_PLANE_V8_FLAGS } from '../apps/dataplane/src/node-options';
import { benchArgs } from './lib/args';
import { benchPostgresServer } from './lib/postgres-server';
import { buildRequest, RawConnection } from './lib/raw-http';
import { benchWorkspaceConfig } from './lib/workspace-config';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const USERS = 1_000;
const WRITE_KEY = 'bench-write-key';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- the driver
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function spawnReady(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`)),
    );
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/**
 * CPU seconds every process on the machine has used so far (the busy time in /proc/stat): with
 * the data plane, Postgres and the sink sharing the cores, the cost per event at a fixed rate
 * is steadier than the peak rate.
 */
async function machineCpuSeconds(): Promise<number> {
  const cpu =
    (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = cpu;
  return (user + nice + system + irq + softirq) / 100;
}

/** CPU seconds (user + system) a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}

function workspaceConfig(sinkUrl: string, batching: boolean): WorkspaceConfig {
  return benchWorkspaceConfig({
    version: 'bench',
    writeKey: { id: 'wk_bench', key: WRITE_KEY },
    sink: { id: 'dst_sink', url: `${sinkUrl}/hook`, batchingEnabled: batching, maxBatchWaitMs: 50 },
  });
}

interface Load {
  accepted: number;
  failed: number;
  stop(): Promise<void>;
}

/**
 * One event of the load, as JSON text: bodies are assembled from strings because
 * JSON.stringify of every batch cost the load generator ~10 µs per event, CPU that the data
 * plane and Postgres share on this box.
 */
function eventJson(user: number, seq: number, timestamp: string): string {
  return `{"type":"track","event":"Bench Event","userId":"user-${user}","properties":{"seq":${seq},"plan":"pro","amount":12.5,"tags":["a","b"]},"context":{"library":{"name":"keel-bench","version":"1"},"locale":"en-US"},"timestamp":"${timestamp}"}`;
}

/**
 * Sends /v1/batch requests of 100 events from `slots` concurrent keep-alive connections; each
 * owns a fixed share of the 1,000 users and waits for each answer, so each user's events are
 * sent in order. `pace` caps events/s; `admit` may hold senders back (to bound the backlog).
 */
function startLoad(
  gatewayPort: number,
  options: { slots: number; pace?: number; admit?: () => boolean },
): Load {
  const state = { accepted: 0, failed: 0, running: true };
  const started = Date.now();
  const sender = async (slot: number) => {
    const users = Array.from({ length: USERS }, (_, i) => i).filter((u) => u % options.slots === slot);
    const seq = new Map<number, number>();
    let cursor = 0;
    let connection = new RawConnection(gatewayPort);
    await connection.ready;
    while (state.running) {
      if (options.admit && !options.admit()) {
        await sleep(5);
        continue;
      }
      if (options.pace) {
        const due = (state.accepted / options.pace) * 1000 - (Date.now() - started);
        if (due > 0) await sleep(due);
      }
      const timestamp = new Date().toISOString();
      const events: string[] = [];
      for (let i = 0; i < 100; i++) {
        const user = users[cursor++ % users.length] ?? 0;
        const n = seq.get(user) ?? 0;
        seq.set(user, n + 1);
        events.push(eventJson(user, n, timestamp));
      }
      const status = await connection.send(
        buildRequest(gatewayPort, '/v1/batch', `{"batch":[${events.join(',')}]}`, WRITE_KEY),
      );
      if (status === 200) {
        state.accepted += events.length;
        continue;
      }
      // A refused batch is not resent: its users' later events still arrive in order.
      state.failed += events.length;
      await sleep(50);
      if (status === 0) {
        connection = new RawConnection(gatewayPort);
        await connection.ready.catch(() => {});
      }
    }
    connection.close();
  };
  const senders = Array.from({ length: options.slots }, (_, slot) => sender(slot));
  return {
    get accepted() {
      return state.accepted;
    },
    get failed() {
      return state.failed;
    },
    async stop() {
      state.running = false;
      await Promise.all(senders);
    },
  };
}

/** The sink's counts; cheap, polled every 100 ms. */
async function sinkStats(url: string): Promise<{ events: number; requests: number }> {
  const response = await request(url);
  return (await response.body.json()) as { events: number; requests: number };
}

/** Gateway-to-delivery latency percentiles of what the sink received since its last reset. */
async function sinkLatency(url: string): Promise<{ p50: number | null; p99: number | null }> {
  const response = await request(`${url}/latency`);
  return (await response.body.json()) as { p50: number | null; p99: number | null };
}

async function main(): Promise<void> {
  const values = benchArgs(
    'Usage: npm run bench -- e2e [options]\n\n1,000 users -> gateway -> processor -> router -> a webhook sink in its own process, ordering on.\nUses DATABASE_URL if set, else an embedded Postgres in a temporary directory.',
    {
      seconds: { help: 'seconds of each end-to-end phase', default: '60' },
      'gateway-seconds': { help: 'seconds of the gateway-only phase', default: '15' },
      'latency-seconds': { help: 'seconds of the half-load latency phase', default: '20' },
      phases: { help: 'which phases to run', default: 'gateway,batched,unbatched' },
      connections: { help: 'concurrent client connections', default: '16' },
      'half-load': { help: 'events/s of the latency phase (default: half the batched rate)' },
      'cpu-prof-dir': { help: 'write a CPU profile of the data plane to this directory' },
    },
  );
  const seconds = Number(values.seconds);
  const gatewaySeconds = Number(values['gateway-seconds']);
  const latencySeconds = Number(values['latency-seconds']);
  const phases = new Set(String(values.phases).split(','));
  const slots = Number(values.connections);

  const { url: serverUrl, stop: stopPostgres } = await benchPostgresServer();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'keel-bench-'));
  const sinkPort = await freePort();
  const sink = await spawnReady([fileURLToPath(import.meta.url), '--sink', String(sinkPort)], {});
  const sinkUrl = `http://127.0.0.1:${sinkPort}`;
  const results: Record<string, string | number> = {};

  const freshDatabase = async (name: string) => {
    const url = withDatabase(serverUrl as string, name);
    await withClient(withDatabase(serverUrl as string, 'postgres'), async (admin) => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
    });
    await withClient(url, (c) => migrate(c, dataPlaneMigrations));
    return url;
  };
  const startDataPlane = async (databaseUrl: string, roles: string, batching: boolean) => {
    const configPath = path.join(tmp, `config-${roles}-${batching}.json`);
    await writeFile(configPath, JSON.stringify(workspaceConfig(sinkUrl, batching)));
    const port = await freePort();
    const child = await spawnReady(
      [path.join(repo, 'apps/dataplane/src/delivery/run-child.ts'), configPath],
      {
        DATABASE_URL: databaseUrl,
        DATA_PLANE_TOKEN: 'bench',
        CONFIG_BACKEND_URL: 'http://127.0.0.1:9',
        ROLES: roles,
        PORT: String(port),
        LOG_LEVEL: 'silent',
      },
      [
        ...DATA_PLANE_V8_FLAGS,
        // --cpu-prof-dir <dir> writes a CPU profile of the data plane there.
        ...(values['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof-dir']}`] : []),
      ],
    );
    return { child, port };
  };

  try {
    // 1. Gateway only: before the batched phase and again after it, because the rate this box
    // gives drifts over minutes; the ratio is taken against the mean of the two.
    const gatewayRates: number[] = [];
    const gatewayOnly = async () => {
      const dp = await startDataPlane(await freshDatabase('keel_bench_gw'), 'gateway', true);
      const load = startLoad(dp.port, { slots });
      await sleep(2_000);
      const from = load.accepted;
      await sleep(gatewaySeconds * 1000);
      const rate = (load.accepted - from) / gatewaySeconds;
      await load.stop();
      gatewayRates.push(rate);
      const mean = gatewayRates.reduce((a, b) => a + b, 0) / gatewayRates.length;
      results['gateway-only events/s'] = Math.round(mean);
      if (gatewayRates.length > 1) {
        results['gateway-only events/s before / after batched'] = gatewayRates.map(Math.round).join(' / ');
      }
      const rss = await peakRssMb(dp.child.pid as number);
      results['gateway-only peak RSS MB'] = Math.max(rss, Number(results['gateway-only peak RSS MB'] ?? 0));
      await stop(dp.child);
      console.log(`gateway only: ${Math.round(rate)} events/s`);
    };
    if (phases.has('gateway')) await gatewayOnly();
    // 2. End to end, batched and unbatched, with the backlog held under 100,000 events.
    let batchedRate = 0;
    for (const batching of [true, false].filter((b) => phases.has(b ? 'batched' : 'unbatched'))) {
      const label = batching ? 'batched (100/request)' : 'one request per event';
      const dp = await startDataPlane(
        await freshDatabase(`keel_bench_e2e_${batching ? 'b' : 'u'}`),
        'gateway,processor,router',
        batching,
      );
      const initial = await sinkStats(sinkUrl);
      let delivered = initial.events;
      const base = delivered;
      const poll = setInterval(() => {
        void sinkStats(sinkUrl).then((s) => {
          delivered = s.events;
        });
      }, 100);
      const admitted = { accepted: 0 };
      const load = startLoad(dp.port, {
        slots,
        admit: () => admitted.accepted - (delivered - base) < 100_000,
      });
      const track = setInterval(() => {
        admitted.accepted = load.accepted;
      }, 20);
      await sleep(5_000);
      const from = delivered;
      const t0 = Date.now();
      const cpuFrom = await cpuSeconds(dp.child.pid as number);
      await sleep(seconds * 1000);
      const rate = (delivered - from) / ((Date.now() - t0) / 1000);
      // The data plane's own CPU per delivered event: steadier than the rate on a shared box.
      const cpuPerEvent = ((await cpuSeconds(dp.child.pid as number)) - cpuFrom) / (delivered - from);
      await load.stop();
      clearInterval(poll);
      clearInterval(track);
      // Drain, then check nothing was lost.
      const deadline = Date.now() + 120_000;
      while ((await sinkStats(sinkUrl)).events - base < load.accepted && Date.now() < deadline)
        await sleep(200);
      const final = await sinkStats(sinkUrl);
      const got = final.events - base;
      const perRequest = got / Math.max(1, final.requests - initial.requests);
      results[`e2e ${label} events/s`] = Math.round(rate);
      results[`e2e ${label} delivered/accepted`] = `${got}/${load.accepted}`;
      results[`e2e ${label} data-plane CPU µs/event`] = Math.round(cpuPerEvent * 1e6);
      results[`e2e ${label} peak RSS MB`] = await peakRssMb(dp.child.pid as number);
      console.log(
        `e2e ${label}: ${Math.round(rate)} events/s over ${seconds} s; delivered ${got} of ${load.accepted} accepted, ${perRequest.toFixed(1)} per request; data plane ${Math.round(cpuPerEvent * 1e6)} µs CPU per event`,
      );
      if (batching) batchedRate = rate;
      // 3. Latency at half the batched load.
      if (batching) {
        await request(`${sinkUrl}/reset`, { method: 'POST' }).then((r) => r.body.text());
        const pace = values['half-load'] ? Number(values['half-load']) : batchedRate / 2;
        const paced = startLoad(dp.port, { slots, pace });
        const costSample = async () => ({
          dataPlane: await cpuSeconds(dp.child.pid as number),
          machine: await machineCpuSeconds(),
          delivered: (await sinkStats(sinkUrl)).events,
        });
        // The first quarter (at most 5 s) lets the pace settle before the CPU is counted.
        await sleep(Math.min(5_000, (latencySeconds * 1000) / 4));
        const from = await costSample();
        await sleep((latencySeconds * 1000 * 3) / 4);
        const to = await costSample();
        await paced.stop();
        const perEvent = (key: 'dataPlane' | 'machine') =>
          Math.round(((to[key] - from[key]) / Math.max(1, to.delivered - from.delivered)) * 1e6);
        results['CPU µs/event at half load: data plane'] = perEvent('dataPlane');
        results['CPU µs/event at half load: whole machine'] = perEvent('machine');
        await sleep(2_000);
        const s = await sinkLatency(sinkUrl);
        results['latency p50 ms at half load'] = s.p50 ?? -1;
        results['latency p99 ms at half load'] = s.p99 ?? -1;
        console.log(
          `latency at ${Math.round(pace)} events/s: p50 ${s.p50} ms, p99 ${s.p99} ms; CPU per event: data plane ${results['CPU µs/event at half load: data plane']} µs, whole machine ${results['CPU µs/event at half load: whole machine']} µs`,
        );
        results[`e2e ${label} peak RSS MB`] = await peakRssMb(dp.child.pid as number);
      }
      await stop(dp.child);
      if (batching && phases.has('gateway')) await gatewayOnly();
    }
    const ratio =
      Number(results['e2e batched (100/request) events/s']) / Number(results['gateway-only events/s']);
    results['e2e batched / gateway-only'] = ratio.toFixed(2);
    console.log(
      '\nKeel e2e benchmark (2 cores shared; targets: ≥30k batched, ≥10k unbatched, ≥0.3× gateway, p99 ≤1 s, RSS ≤500 MB)',
    );
    console.table(results);
  } finally {
    await stop(sink);
    await rm(tmp, { recursive: true, force: true });
    await stopPostgres();
  }
}

// ---------------------------------------------------------------- the sink (child process)
const RECEIVED_AT = '"receivedAt":"';
let lastReceivedText = '';
let lastReceivedMs = 0;

/**
 * The `receivedAt` of every event in a webhook body, found by scanning the text rather than
 * parsing it: a full JSON.parse of every batch took the sink a tenth of a core, CPU that the
 * data plane and Postgres share on this box. The events of one gateway request share their
 * `receivedAt`, so each distinct text is parsed once. Every `verify` call parses the body too
 * and stops the benchmark if the counts differ.
 */
function receivedTimes(body: string, verify: boolean): number[] {
  const times: number[] = [];
  for (let i = body.indexOf(RECEIVED_AT); i !== -1; i = body.indexOf(RECEIVED_AT, i + 1)) {
    const start = i + RECEIVED_AT.length;
    const text = body.slice(start, body.indexOf('"', start));
    if (text !== lastReceivedText) {
      lastReceivedText = text;
      lastReceivedMs = Date.parse(text);
    }
    times.push(lastReceivedMs);
  }
  if (verify) {
    const parsed = JSON.parse(body) as unknown;
    const expected = Array.isArray(parsed) ? parsed.length : 1;
    if (expected !== times.length) {
      throw new Error(`the sink found ${times.length} receivedAt in a body of ${expected} events`);
    }
  }
  return times;
}

async function runSink(): Promise<void> {
  const latencies: number[] = [];
  let events = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/latency') {
      const sorted = latencies.slice().sort((a, b) => a - b);
      const pick = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? null;
      res.end(JSON.stringify({ samples: sorted.length, p50: pick(0.5), p99: pick(0.99) }));
      return;
    }
    // Polled every 100 ms: counts only (sorting every latency here once took a third of a core).
    if (req.method === 'GET') {
      res.end(JSON.stringify({ events, requests }));
      return;
    }
    if (req.url === '/reset') {
      latencies.length = 0;
      res.end('{}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const found = receivedTimes(Buffer.concat(chunks).toString('latin1'), requests % 100 === 0);
      requests += 1;
      events += found.length;
      for (const at of found) if (latencies.length < 2_000_000) latencies.push(now - at);
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.argv[process.argv.indexOf('--sink') + 1]), '127.0.0.1', () =>
    process.stdout.write('ready\n'),
  );
}

if (process.argv.includes('--sink')) await runSink();
else await main();
