import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@keel/postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree } from '../scripts/lib/ports';

// The README's path, as a new user takes it: `npm start` on the embedded Postgres, the
// skeleton command, one curl, and the event at the webhook; then a restart keeps the data and
// a second start on taken ports fails with one line.
const repoRoot = path.resolve(import.meta.dirname, '..');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
const run = promisify(execFile);

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Instances still running; a failed assertion must not leave one behind. */
const running = new Set<Started>();

/** `npm start` in its own process group, as a terminal runs its foreground job. */
function startKeel(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(tsx, [path.join(repoRoot, 'scripts/start.ts')], { env, cwd: repoRoot, detached: true });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Keel is running')) {
        clearInterval(timer);
        const started = { child, output: () => output };
        running.add(started);
        resolve(started);
      }
    }, 200);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** Ctrl-C: the terminal sends SIGINT to every process of the foreground process group. */
function stopKeel(started: Started): Promise<number | null> {
  running.delete(started);
  return new Promise((resolve) => {
    started.child.once('exit', (code) => resolve(code));
    process.kill(-(started.child.pid as number), 'SIGINT');
  });
}

/** Closing the terminal: SIGHUP to the whole process group, which tsx does not relay. */
function hangUp(started: Started): void {
  running.delete(started);
  process.kill(-(started.child.pid as number), 'SIGHUP');
}

describe('the README quick start', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { web: number; configBackend: number; dataPlane: number; postgres: number };
  const received: Array<{ url: string; body: Record<string, unknown> }> = [];
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.end('ok');
    });
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'keel-quickstart-'));
    // Under root the embedded Postgres runs as the `postgres` user, which must reach the folder.
    await chmod(dataDir, 0o755);
    ports = {
      web: await freePort(),
      configBackend: await freePort(),
      dataPlane: await freePort(),
      postgres: await freePort(),
    };
    const { DATABASE_URL: _ignored, ...rest } = process.env;
    env = {
      ...rest,
      KEEL_DATA_DIR: dataDir,
      WEB_PORT: String(ports.web),
      CONFIG_BACKEND_PORT: String(ports.configBackend),
      DATAPLANE_PORT: String(ports.dataPlane),
      KEEL_EMBEDDED_PG_PORT: String(ports.postgres),
      LOG_LEVEL: 'warn',
    };
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const started of running) await stopKeel(started);
    sink.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function sendUntilAccepted(writeKey: string, event: object): Promise<number> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${ports.dataPlane}/v1/track`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(event),
      });
      // 401 until the data plane's next config poll has seen the new write key (503 before its first config).
      if ((response.status !== 401 && response.status !== 503) || Date.now() > deadline)
        return response.status;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async function waitForDelivery(count: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }

  it('starts, wires a webhook with the skeleton command, delivers a curl-sent event, restarts with its data, and refuses taken ports', async () => {
    const first = await startKeel(env);
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/hook/{{event}}`;
    const skeleton = await run(
      tsx,
      [path.join(repoRoot, 'scripts/skeleton.ts'), '--url', sinkUrl, '--email', 'ada@example.com'],
      {
        env,
        cwd: repoRoot,
      },
    );
    const writeKey = /Write key: (\S+)/.exec(skeleton.stdout)?.[1];
    expect(writeKey, skeleton.stdout).toBeTruthy();

    expect(await sendUntilAccepted(writeKey!, { userId: 'u1', event: 'Signed Up', type: 'track' })).toBe(200);
    await waitForDelivery(1);
    expect(received[0]?.url, first.output()).toBe('/hook/Signed%20Up');
    expect(received[0]?.body).toMatchObject({ userId: 'u1', event: 'Signed Up', type: 'track' });
    expect(received[0]?.body.messageId).toEqual(expect.any(String));

    // The web app reaches this run's config-backend and shows this run's gateway URL, even when
    // it serves a build made earlier with other ports (CI builds before the tests run).
    const web = `http://127.0.0.1:${ports.web}`;
    const setup = await fetch(`${web}/trpc/auth.setupStatus`);
    expect(setup.status).toBe(200);
    expect(await setup.json()).toMatchObject({ result: { data: { needsOwner: false } } });
    expect(await (await fetch(`${web}/login`)).text()).toContain(`http://localhost:${ports.dataPlane}`);

    expect(await stopKeel(first)).toBe(0);
    // The apps stop before Postgres does, so none of them loses its database on the way out.
    const beforePostgresStopped = first.output().split('stopping the embedded Postgres');
    expect(beforePostgresStopped, first.output()).toHaveLength(2);
    expect(beforePostgresStopped[0]).not.toMatch(/shutting down|administrator command|ECONNREFUSED/);
    const { stdout: leftovers } = await run('ps', ['-eo', 'args']);
    expect(leftovers).not.toContain(dataDir);

    const second = await startKeel(env);
    try {
      expect(await sendUntilAccepted(writeKey!, { userId: 'u1', event: 'Logged In', type: 'track' })).toBe(
        200,
      );
      await waitForDelivery(2);
      expect(received[1]?.url).toBe('/hook/Logged%20In');

      const clash = await run(tsx, [path.join(repoRoot, 'scripts/start.ts')], { env, cwd: repoRoot }).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(clash).toMatchObject({ code: 1 });
      expect((clash as { stderr: string }).stderr.trim()).toMatch(
        /^Port \d+ \(web\) is already in use\..*WEB_PORT\.$/,
      );
    } finally {
      hangUp(second);
    }
    // Keel stops as on Ctrl-C, leaving nothing running (not even Postgres).
    const deadline = Date.now() + 60_000;
    let left = '';
    do {
      await new Promise((r) => setTimeout(r, 500));
      left = (await run('ps', ['-eo', 'args'])).stdout
        .split('\n')
        .filter((line) => line.includes(dataDir) || line.includes(path.join(repoRoot, 'scripts/start.ts')))
        .join('\n');
    } while (left && Date.now() < deadline);
    expect(left, second.output()).toBe('');
    expect(second.output()).toContain('stopping the embedded Postgres');
  }, 240_000);

  it('stops everything, and says why, when the embedded Postgres dies under it', async () => {
    const fourth = await startKeel(env);
    running.delete(fourth);
    const exit = new Promise<number | null>((resolve) => fourth.child.once('exit', resolve));
    const postmaster = Number(
      (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    process.kill(postmaster, 'SIGKILL');
    expect(await exit, fourth.output()).toBe(1);
    expect(fourth.output()).toContain('the embedded Postgres exited unexpectedly; stopping everything');
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout).not.toContain(dataDir);
  }, 120_000);

  it('leaves nothing running when npm start itself is killed with SIGKILL', async () => {
    const third = await startKeel(env);
    running.delete(third);
    // The launcher is the node process tsx runs scripts/start.ts in; its children and the
    // embedded Postgres outlive it unless the reaper stops them.
    const launcher = (await run('ps', ['-eo', 'pid,args'])).stdout
      .split('\n')
      .find(
        (line) => line.includes(path.join(repoRoot, 'scripts/start.ts')) && line.includes('tsx/dist/loader'),
      );
    expect(launcher, third.output()).toBeTruthy();
    process.kill(Number(launcher?.trim().split(' ')[0]), 'SIGKILL');

    const deadline = Date.now() + 60_000;
    let busy: string[] = [];
    do {
      await new Promise((r) => setTimeout(r, 500));
      busy = [];
      for (const [name, port] of Object.entries(ports)) if (!(await isPortFree(port))) busy.push(name);
      const { stdout } = await run('ps', ['-eo', 'args']);
      if (stdout.includes(dataDir)) busy.push('a process of the data directory');
    } while (busy.length > 0 && Date.now() < deadline);
    expect(busy, third.output()).toEqual([]);
  }, 240_000);
});
