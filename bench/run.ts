import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm run bench -- <name> [args]` runs bench/<name>.bench.ts; with no name it lists them.
const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const [name, ...rest] = process.argv.slice(2);

if (!name || name === '--help' || name === '-h') {
  console.log(
    `Usage: npm run bench -- <name> [options]\n\nBenchmarks: ${available.join(', ') || '(none yet)'}`,
  );
  process.exit(name ? 0 : 1);
}
if (!available.includes(name)) {
  console.error(`No benchmark called "${name}". Available: ${available.join(', ')}`);
  process.exit(1);
}
process.argv = [process.argv[0] ?? 'node', path.join(here, `${name}.bench.ts`), ...rest];
await import(path.join(here, `${name}.bench.ts`));
