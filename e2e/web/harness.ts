import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildConfigBackend } from '../../apps/config-backend/src/app';
import { loadEnv } from '../../apps/config-backend/src/env';
import { buildDataPlane } from '../../apps/dataplane/src/app';
import { loadEnv as loadDataPlaneEnv } from '../../apps/dataplane/src/env';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = path.join(repoRoot, 'apps/web');
export const screenshotDir = path.join(repoRoot, 'test-artifacts/screenshots');

/** A config-backend on the test database, listening on a real port. */
export async function startConfigBackend(opts: { databaseUrl: string; port: number; publicUrl: string }) {
  const env = loadEnv({
    DATABASE_URL: opts.databaseUrl,
    KEEL_SECRET_KEY: randomBytes(32).toString('base64'),
    PUBLIC_URL: opts.publicUrl,
    LOG_LEVEL: 'warn',
    PORT: String(opts.port),
  });
  const app = await buildConfigBackend({ env });
  await app.listen({ host: '127.0.0.1', port: opts.port });
  return { url: `http://127.0.0.1:${opts.port}`, env, close: () => app.close() };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output}`)),
    );
  });
}

const nextBin = path.join(repoRoot, 'node_modules/next/dist/bin/next');

/**
 * Builds the web app, so the tests see the current code as production serves it, then serves
 * it with `next start`, which reads CONFIG_BACKEND_URL and DATA_PLANE_URL at run time.
 */
export async function startWeb(opts: { port: number; configBackendUrl: string; dataPlaneUrl: string }) {
  const env = {
    ...process.env,
    CONFIG_BACKEND_URL: opts.configBackendUrl,
    DATA_PLANE_URL: opts.dataPlaneUrl,
    // Its own build folder: the quick-start test may be serving apps/web/.next meanwhile.
    KEEL_WEB_DIST_DIR: '.next-e2e',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  await run(process.execPath, [nextBin, 'build'], env, webDir);
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(opts.port)],
    { cwd: webDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/login`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

let axeSource: string | undefined;

/** Runs axe-core inside the page and returns its serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(path.join(repoRoot, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, o: object) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** A data plane (gateway, processor, router) pulling its config with a token made in the UI. */
export async function startDataPlane(opts: {
  databaseUrl: string;
  configBackendUrl: string;
  token: string;
  port: number;
}) {
  const env = loadDataPlaneEnv({
    DATABASE_URL: opts.databaseUrl,
    CONFIG_BACKEND_URL: opts.configBackendUrl,
    DATA_PLANE_TOKEN: opts.token,
    DATA_PLANE_ID: 'dp-web-e2e',
    LOG_LEVEL: 'silent',
    CONFIG_POLL_INTERVAL_MS: '200',
    CONTROL_PLANE_PUSH_INTERVAL_MS: '200',
    LIVE_EVENTS_POLL_MS: '200',
  });
  const app = await buildDataPlane({ env, logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: opts.port });
  return { url, close: () => app.close() };
}

/** What `curl -u <key>: -d <json> <gateway>/v1/track` does, retried until the key is known. */
export async function sendTrack(
  gatewayUrl: string,
  writeKey: string,
  body: Record<string, unknown>,
): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${gatewayUrl}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'track', ...body }),
    });
    // 401 until the data plane has pulled the config that holds the new key.
    if (res.status !== 401 || Date.now() > deadline) return res.status;
    await new Promise((r) => setTimeout(r, 200));
  }
}
