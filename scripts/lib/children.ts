import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { readableLogLine } from './log-lines';

const COLOURS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m'];
const RESET = '\x1b[0m';

export interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  alive(): boolean;
}

/** Runs a command in its own process group, with each output line prefixed by its name. */
export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export function startChild({ name, command, args, env, cwd }: ChildSpec, index: number): Child {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const colour = process.stdout.isTTY ? (COLOURS[index % COLOURS.length] ?? '') : '';
  const prefix = `${colour}${name.padEnd(14)}${colour ? RESET : ''}│ `;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      readline
        .createInterface({ input: stream })
        .on('line', (line) => console.log(prefix + readableLogLine(line)));
  }
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  return { name, process: child, exited, alive: () => running };
}

/** SIGTERM to each child's whole process group, then SIGKILL after the grace period. */
export async function stopChildren(children: Child[], graceMs = 8000): Promise<void> {
  const signalGroup = (child: Child, signal: NodeJS.Signals) => {
    if (!child.alive() || child.process.pid === undefined) return;
    try {
      process.kill(-child.process.pid, signal);
    } catch {
      // already gone
    }
  };
  for (const child of children) signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => {
    for (const child of children) signalGroup(child, 'SIGKILL');
  }, graceMs);
  await Promise.all(children.map((c) => c.exited));
  clearTimeout(timer);
}
