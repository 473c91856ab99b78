import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { SandboxPool } from '@keel/transform';
import YAML from 'yaml';
import { createPrisma, type Db } from '../db';
import type { Actor } from '../domain/audit';
import { createConnection } from '../domain/connections';
import { createDataPlaneToken, ensureInstanceDataPlaneToken } from '../domain/data-plane-tokens';
import { createDestination } from '../domain/destinations';
import { DomainError } from '../domain/errors';
import { newToken } from '../domain/secrets';
import { createSource } from '../domain/sources';
import { loadEnv } from '../env';
import { applyPlan, planApply, renderPlan } from './apply';
import { exportWorkspace } from './export';
import { createWorkspaceFor } from './workspace-create';
import { FileSource, WorkspaceFile } from './workspace-file';

const ACTOR: Actor = { type: 'system', id: null };
const WORKSPACE_OPTION = { workspace: { type: 'string', short: 'w' } } as const;

const ENV_HELP = `The CLI talks to the control-plane database like the config-backend does, with the same
environment: DATABASE_URL and KEEL_SECRET_KEY (the key that encrypts destination secrets).
For the embedded Postgres of \`npm start\` (while it runs):
  DATABASE_URL=postgresql://keel:keel@127.0.0.1:5488/keel \\
  KEEL_SECRET_KEY=$(node -p "require('./.data/secrets.json').secretKey") npm run keel -- …`;

interface Command {
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  positionals?: number;
  run(db: Db, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required.`);
  return value;
}

class UsageError extends Error {}

function print(value: unknown, format: string): void {
  if (format === 'json') console.log(JSON.stringify(value, null, 2));
  else if (format === 'yaml') process.stdout.write(YAML.stringify(value, { lineWidth: 0 }));
  else throw new UsageError(`--format must be yaml or json, not "${format}".`);
}

async function secretKey(): Promise<Buffer> {
  return Buffer.from(loadEnv().KEEL_SECRET_KEY, 'base64');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** An id, or the name of something in the workspace. */
async function resolve(
  db: Db,
  kind: 'source' | 'destination',
  workspaceId: string,
  idOrName: string,
): Promise<string> {
  const where = { workspaceId, OR: [{ id: idOrName }, { name: idOrName }] };
  const found =
    kind === 'source'
      ? await db.source.findFirst({ where, select: { id: true } })
      : await db.destination.findFirst({ where, select: { id: true } });
  if (!found) throw new DomainError('not-found', `No ${kind} "${idOrName}" in workspace ${workspaceId}.`);
  return found.id;
}

const commands: Record<string, Command> = {
  'workspace list': {
    usage: 'workspace list',
    summary: 'List every workspace with its id.',
    options: {},
    async run(db) {
      const workspaces = await db.workspace.findMany({ orderBy: { createdAt: 'asc' } });
      for (const w of workspaces) console.log(`${w.id}\t${w.name}`);
      return 0;
    },
  },
  'workspace create': {
    usage: 'workspace create --name NAME [--owner EMAIL]',
    summary: 'Create a workspace owned by an existing user (the only user when there is one); prints its id.',
    options: { name: { type: 'string' }, owner: { type: 'string' } },
    async run(db, values) {
      const workspace = await createWorkspaceFor(
        db,
        required(values, 'name'),
        values.owner as string | undefined,
      );
      console.log(workspace.id);
      return 0;
    },
  },
  'workspace export': {
    usage: 'workspace export --workspace ID [--format yaml|json]',
    summary:
      'Print the workspace as code: sources with write keys, destinations (secrets left out), transformations, connections.',
    options: { ...WORKSPACE_OPTION, format: { type: 'string' } },
    async run(db, values) {
      print(await exportWorkspace(db, required(values, 'workspace')), (values.format as string) ?? 'yaml');
      return 0;
    },
  },
  'workspace apply': {
    usage: 'workspace apply FILE --workspace ID [--yes] [--prune]',
    summary:
      'Show what it takes to make the workspace match FILE (YAML or JSON), then apply it in one transaction, audited. --prune also removes what the file leaves out.',
    options: {
      ...WORKSPACE_OPTION,
      yes: { type: 'boolean', short: 'y' },
      prune: { type: 'boolean' },
    },
    positionals: 1,
    async run(db, values, [path]) {
      if (!path) throw new UsageError('Name the file to apply.');
      const workspaceId = required(values, 'workspace');
      const parsed = WorkspaceFile.safeParse(YAML.parse(await readFile(path, 'utf8')));
      if (!parsed.success) {
        console.error(`${path} is not a valid workspace file:`);
        for (const issue of parsed.error.issues)
          console.error(`  ${issue.path.join('.') || '(file)'}: ${issue.message}`);
        return 1;
      }
      const plan = await planApply(db, workspaceId, parsed.data, { prune: values.prune === true });
      if (plan.changes.length === 0) {
        console.log(`Workspace ${workspaceId} already matches ${path}.`);
        if (plan.kept.length > 0) console.log(renderPlan(plan));
        return 0;
      }
      console.log(renderPlan(plan));
      if (values.yes !== true) {
        if (!process.stdin.isTTY) {
          console.log(`\n${plan.changes.length} change(s) not applied: run again with --yes to apply them.`);
          return 1;
        }
        if (!(await confirm(`\nApply these ${plan.changes.length} change(s)? [y/N] `))) {
          console.log('Nothing changed.');
          return 1;
        }
      }
      const key = await secretKey();
      const needsSandbox = parsed.data.transformations.length > 0;
      const sandbox = needsSandbox ? new SandboxPool({ processes: 1 }) : undefined;
      try {
        const check = async (code: string) => (sandbox ? sandbox.check({ code, allowFetch: false }) : null);
        await db.$transaction(
          (tx) => applyPlan(tx, plan, { actor: ACTOR, workspaceId, secretKey: key, check }),
          {
            timeout: 120_000,
            maxWait: 10_000,
          },
        );
      } finally {
        await sandbox?.close();
      }
      console.log(`\nApplied ${plan.changes.length} change(s) to workspace ${workspaceId}.`);
      return 0;
    },
  },
  'source create': {
    usage: 'source create --workspace ID --name NAME --type javascript|server|http|webhook [--write-key KEY]',
    summary: 'Create a source; prints its id and write key.',
    options: {
      ...WORKSPACE_OPTION,
      name: { type: 'string' },
      type: { type: 'string' },
      'write-key': { type: 'string' },
    },
    async run(db, values) {
      const input = FileSource.parse({
        name: required(values, 'name'),
        type: required(values, 'type'),
        writeKeys: [{ name: 'Default', key: values['write-key'] }],
      });
      const source = await db.$transaction((tx) =>
        createSource(tx, ACTOR, required(values, 'workspace'), input),
      );
      console.log(`${source.id}\t${source.writeKeys[0]?.key ?? ''}`);
      return 0;
    },
  },
  'destination create': {
    usage: 'destination create --workspace ID --name NAME --type TYPE --config JSON',
    summary:
      'Create a destination from the catalog (e.g. --type webhook --config \'{"url":"http://…"}\'); prints its id.',
    options: {
      ...WORKSPACE_OPTION,
      name: { type: 'string' },
      type: { type: 'string' },
      config: { type: 'string' },
    },
    async run(db, values) {
      let config: Record<string, unknown>;
      try {
        config = JSON.parse((values.config as string | undefined) ?? '{}') as Record<string, unknown>;
      } catch {
        throw new UsageError(
          '--config must be a JSON object, e.g. \'{"url":"http://127.0.0.1:9000/hook"}\'.',
        );
      }
      const destination = await createDestination(
        db,
        ACTOR,
        required(values, 'workspace'),
        { name: required(values, 'name'), type: required(values, 'type'), enabled: true, config },
        await secretKey(),
      );
      console.log(destination.id);
      return 0;
    },
  },
  'connection create': {
    usage: 'connection create --workspace ID --source ID|NAME --destination ID|NAME',
    summary: 'Connect a source to a destination with default options; prints its id.',
    options: {
      ...WORKSPACE_OPTION,
      source: { type: 'string' },
      destination: { type: 'string' },
    },
    async run(db, values) {
      const workspaceId = required(values, 'workspace');
      const connection = await createConnection(db, ACTOR, workspaceId, {
        sourceId: await resolve(db, 'source', workspaceId, required(values, 'source')),
        destinationId: await resolve(db, 'destination', workspaceId, required(values, 'destination')),
        enabled: true,
        filterMode: 'none',
        filterEvents: [],
        consentCategories: [],
        orderingEnabled: true,
        transformationVersionId: null,
      });
      console.log(connection.id);
      return 0;
    },
  },
  'data-plane-token create': {
    usage: 'data-plane-token create --name NAME [--workspace ID]',
    summary:
      'Create a data-plane token for one workspace, or without --workspace one that serves every workspace; prints it once.',
    options: { ...WORKSPACE_OPTION, name: { type: 'string' } },
    async run(db, values) {
      const name = required(values, 'name');
      const workspaceId = values.workspace as string | undefined;
      if (workspaceId) {
        console.log((await createDataPlaneToken(db, ACTOR, { workspaceId, name })).token);
      } else {
        const token = newToken('keel_dp');
        await ensureInstanceDataPlaneToken(db, token, name);
        console.log(token);
      }
      return 0;
    },
  },
};

function overview(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `Usage: npm run keel -- <command> [options]   (--help after any command for its own)\n\nCommands:\n${lines.join('\n')}\n\n${ENV_HELP}`;
}

async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = [`${words[0]} ${words[1]}`].find((n) => n in commands);
  const command = name ? commands[name] : undefined;
  if (!command) {
    const asked = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    (asked ? console.log : console.error)(
      asked ? overview() : `Unknown command "${words.slice(0, 2).join(' ')}".\n\n${overview()}`,
    );
    return asked ? 0 : 2;
  }
  const rest = argv.slice(argv.indexOf(words[1] as string) + 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: npm run keel -- ${command.usage}\n\n${command.summary}\n\n${ENV_HELP}`);
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > (command.positionals ?? 0)) {
    throw new UsageError(`Unexpected argument "${parsed.positionals.at(-1)}".`);
  }
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${ENV_HELP}`);
  }
  const db = createPrisma(env.DATABASE_URL);
  try {
    return await command.run(
      db,
      parsed.values as Record<string, string | boolean | undefined>,
      parsed.positionals,
    );
  } finally {
    await db.$disconnect();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\nRun \`npm run keel -- --help\` for usage.`);
    process.exitCode = 2;
  } else if (error instanceof DomainError) {
    console.error(error.message);
    for (const [field, message] of Object.entries(error.fields ?? {}))
      console.error(`  ${field}: ${message}`);
    process.exitCode = 1;
  } else {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
