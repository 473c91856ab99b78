import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { embeddedDatabaseUrl } from '@keel/postgres';
import { CreateConnectionInput, CreateDestinationInput, CreateSourceInput } from '@keel/shared';
import { createPrisma } from '../apps/config-backend/src/db';
import type { Actor } from '../apps/config-backend/src/domain/audit';
import { createOwner } from '../apps/config-backend/src/domain/auth';
import { createConnection } from '../apps/config-backend/src/domain/connections';
import { createDestination } from '../apps/config-backend/src/domain/destinations';
import { createSource } from '../apps/config-backend/src/domain/sources';
import { createWorkspace } from '../apps/config-backend/src/domain/workspaces';
import { loadOrCreateLocalSecrets } from './lib/local-secrets';
import { loadStartEnv } from './lib/start-env';

const HELP = `Usage: npm run skeleton -- --url <webhook URL> [--email <owner email>] [--password <password>]

Creates a workspace with an HTTP source (and its write key), a webhook destination aimed at
--url, and a connection between them, then prints the curl command that sends an event
through Keel to that URL. Run it while \`npm start\` is running (or with DATABASE_URL set).

Without an owner account yet, it creates one for --email, with --password or a generated
password that it prints once. With an owner, the workspace belongs to --email (default: the
first owner).`;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
if (!values.url) {
  console.error(`--url is required.\n\n${HELP}`);
  process.exit(1);
}

const repoRoot = new URL('..', import.meta.url).pathname;
const env = loadStartEnv(process.env, repoRoot);
const databaseUrl = env.DATABASE_URL ?? embeddedDatabaseUrl(env.KEEL_EMBEDDED_PG_PORT);
const prisma = createPrisma(databaseUrl);
const secretKey = Buffer.from(
  env.KEEL_SECRET_KEY ?? loadOrCreateLocalSecrets(env.KEEL_DATA_DIR).secretKey,
  'base64',
);

try {
  const workspaceName = `Skeleton ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
  let owner = await prisma.user.findFirst({
    where: values.email
      ? { email: values.email.toLowerCase() }
      : { memberships: { some: { role: 'owner' } } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, email: true },
  });
  let workspaceId: string;
  if (owner) {
    workspaceId = (await createWorkspace(prisma, { type: 'user', id: owner.id }, { name: workspaceName })).id;
  } else {
    if (!values.email)
      throw new Error('Keel has no owner account yet: pass --email (and optionally --password).');
    const password = values.password ?? randomBytes(12).toString('base64url');
    const name = values.email.split('@')[0] || 'Owner';
    const created = await createOwner(prisma, { email: values.email, name, password, workspaceName });
    owner = { id: created.user.id, email: values.email };
    workspaceId = created.workspaceId;
    console.log(
      `Created the owner account ${values.email}${values.password ? '' : ` with the password ${password} (shown once)`}.`,
    );
  }
  const actor: Actor = { type: 'user', id: owner.id };
  // One transaction: a config poll must never see the source without its connection, or the
  // first events would be accepted with nowhere to go.
  const source = await prisma.$transaction(async (tx) => {
    const created = await createSource(
      tx,
      actor,
      workspaceId,
      CreateSourceInput.parse({ name: 'Skeleton source', type: 'http' }),
    );
    const destination = await createDestination(
      tx,
      actor,
      workspaceId,
      CreateDestinationInput.parse({
        name: 'Skeleton webhook',
        type: 'webhook',
        config: { url: values.url },
      }),
      secretKey,
    );
    await createConnection(
      tx,
      actor,
      workspaceId,
      CreateConnectionInput.parse({ sourceId: created.id, destinationId: destination.id }),
    );
    return created;
  });
  const writeKey = source.writeKeys[0]?.key;
  console.log(`
Workspace "${workspaceName}" (owner ${owner.email}): source → webhook ${values.url}
Write key: ${writeKey}

The data plane picks this up at its next config poll (within 5 s). Then send an event:

  curl -u ${writeKey}: -H 'content-type: application/json' \\
    -d '{"userId":"u1","event":"Signed Up","type":"track"}' localhost:${env.DATAPLANE_PORT}/v1/track
`);
} catch (error) {
  const message = (error as Error).message;
  console.error(
    /ECONNREFUSED|connect/.test(message) && !env.DATABASE_URL
      ? 'Could not reach the embedded Postgres: start Keel with `npm start` first, or set DATABASE_URL.'
      : `The skeleton could not be created: ${message}`,
  );
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
