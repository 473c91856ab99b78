// Stops what `npm start` started if `npm start` itself dies without stopping it (SIGKILL, an
// out-of-memory kill): the children run in process groups of their own, so nothing else would.
// It runs in its own process group with a pipe from the launcher on stdin, and learns what to
// stop from lines on it:
//   group <pid>        a child's process group: SIGTERM, then SIGKILL after 8 s
//   postgres <dir>     an embedded Postgres data directory: fast shutdown of its postmaster
//   done               the launcher stopped everything itself
// The pipe closing without `done` means the launcher is gone. Plain JavaScript, so that it
// starts without tsx.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const groups = new Set();
const dataDirs = new Set();
let done = false;

function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}

function postmasterPid(dataDir) {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function reap() {
  const alive = [...groups].filter((pid) => signal(-pid, 'SIGTERM'));
  const deadline = Date.now() + 8_000;
  while (alive.some((pid) => signal(-pid, 0)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const pid of alive) signal(-pid, 'SIGKILL');
  // The data plane and config-backend are gone: Postgres can stop without cutting anyone off.
  for (const dir of dataDirs) {
    const pid = postmasterPid(dir);
    if (pid) signal(pid, 'SIGINT');
  }
}

readline
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    const [kind, ...rest] = line.split(' ');
    const value = rest.join(' ');
    if (kind === 'group') groups.add(Number(value));
    else if (kind === 'postgres') dataDirs.add(value);
    else if (kind === 'done') done = true;
  })
  .on('close', () => {
    if (done) process.exit(0);
    void reap().then(() => process.exit(0));
  });
