import {
  type CreateDestinationInput,
  type DeleteDestinationInput,
  type DestinationType,
  destinationCatalog,
  findDestinationType,
  type StoredEvent,
  secretFieldsOf,
  type UpdateDestinationInput,
} from '@keel/shared';
import { request } from 'undici';
import { type Actor, recordAudit } from './audit';
import { deleteConnectionsOf } from './connection-cascade';
import { DomainError, notFound } from './errors';
import { newId } from './ids';
import { decryptSecrets, encryptSecrets, MASK } from './secrets';
import { type DbHandle, isUniqueViolation, staleVersion, withTx } from './transaction';

export interface DestinationView {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  /** Secret fields that hold a value appear as MASK. */
  config: Record<string, unknown>;
  /** The secret fields that hold a value. */
  secretsSet: string[];
  /** True when the stored secrets cannot be decrypted with the current key; re-enter them. */
  secretsUnreadable: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

interface DestinationRow {
  id: string;
  workspaceId: string;
  name: string;
  type: string;
  enabled: boolean;
  config: unknown;
  encryptedSecrets: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

function typeOf(id: string): DestinationType {
  const type = findDestinationType(id);
  if (!type) {
    throw new DomainError(
      'invalid-input',
      `Unknown destination type "${id}"; choose one of: ${Object.keys(destinationCatalog).join(', ')}.`,
      { type: 'unknown destination type' },
    );
  }
  return type;
}

/** The stored secrets, or null when they cannot be decrypted (KEEL_SECRET_KEY changed or the row is damaged). */
function readSecrets(
  row: Pick<DestinationRow, 'encryptedSecrets'>,
  key: Buffer,
): Record<string, string> | null {
  if (!row.encryptedSecrets) return {};
  try {
    return decryptSecrets(row.encryptedSecrets, key);
  } catch {
    return null;
  }
}

const unreadableSecrets = () =>
  new DomainError(
    'precondition-failed',
    "This destination's stored secrets cannot be decrypted with the current KEEL_SECRET_KEY. Restore the key it was saved with, or enter every secret field again to replace them.",
  );

function storedSecrets(row: Pick<DestinationRow, 'encryptedSecrets'>, key: Buffer): Record<string, string> {
  const secrets = readSecrets(row, key);
  if (!secrets) throw unreadableSecrets();
  return secrets;
}

/** Masks every secret: the one shape of a destination that leaves this module. */
function toView(row: DestinationRow, key: Buffer): DestinationView {
  // A listing must still work when one row's secrets cannot be read, so the view flags it instead of failing.
  const secrets = readSecrets(row, key);
  const secretsSet = Object.keys(secrets ?? {});
  const config = { ...(row.config as Record<string, unknown>) };
  // Defence in depth: a secret field must never come from the plain config column.
  const type = findDestinationType(row.type);
  for (const name of type ? secretFieldsOf(type.configSchema) : []) delete config[name];
  for (const name of secretsSet) config[name] = MASK;
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    enabled: row.enabled,
    config,
    secretsSet,
    secretsUnreadable: secrets === null,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Validates a config against its type's schema, keeping stored secrets the client did not
 * resend. Returns what to store: the non-secret config and the sealed secrets.
 */
function prepareConfig(
  type: DestinationType,
  input: Record<string, unknown>,
  stored: Record<string, string>,
  key: Buffer,
): { config: Record<string, unknown>; encryptedSecrets: string | null } {
  const secretNames = secretFieldsOf(type.configSchema);
  const merged: Record<string, unknown> = { ...input };
  for (const name of secretNames) {
    const sent = input[name];
    if (sent === undefined || sent === MASK) {
      if (stored[name] !== undefined) merged[name] = stored[name];
      else delete merged[name];
    } else if (sent === '') {
      delete merged[name];
    }
  }
  const parsed = type.configSchema.safeParse(merged);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues)
      fields[['config', ...issue.path.map(String)].join('.')] ??= issue.message;
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    throw new DomainError('invalid-input', `The ${type.title} settings are not valid — ${summary}`, fields);
  }
  const config: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.data as Record<string, unknown>)) {
    if (!secretNames.includes(name)) config[name] = value;
    else if (value !== undefined && value !== '') secrets[name] = String(value);
  }
  return { config, encryptedSecrets: Object.keys(secrets).length > 0 ? encryptSecrets(secrets, key) : null };
}

/** An edit keeps unsent secrets; unreadable ones can only be replaced, by sending every secret field. */
function prepareUpdate(
  type: DestinationType,
  row: DestinationRow,
  config: Record<string, unknown>,
  key: Buffer,
) {
  const stored = readSecrets(row, key);
  if (stored) return prepareConfig(type, config, stored, key);
  const resent = secretFieldsOf(type.configSchema).every((name) => {
    const value = config[name];
    return typeof value === 'string' && value !== MASK;
  });
  if (!resent) throw unreadableSecrets();
  return prepareConfig(type, config, {}, key);
}

function duplicateName(name: string): DomainError {
  return new DomainError(
    'conflict',
    `A destination named "${name}" already exists in this workspace; choose another name.`,
    { name: 'already used by another destination' },
  );
}

async function findRow(db: DbHandle, workspaceId: string, id: string): Promise<DestinationRow> {
  const row = await db.destination.findFirst({ where: { id, workspaceId } });
  if (!row) throw notFound('Destination');
  return row;
}

export async function listDestinations(
  db: DbHandle,
  workspaceId: string,
  secretKey: Buffer,
): Promise<DestinationView[]> {
  const rows = await db.destination.findMany({ where: { workspaceId }, orderBy: { name: 'asc' } });
  return rows.map((row) => toView(row, secretKey));
}

export async function getDestination(
  db: DbHandle,
  workspaceId: string,
  id: string,
  secretKey: Buffer,
): Promise<DestinationView> {
  return toView(await findRow(db, workspaceId, id), secretKey);
}

/** The destination's full config with secrets decrypted, for the data plane and test connections only. */
export async function destinationConfigWithSecrets(
  db: DbHandle,
  workspaceId: string,
  id: string,
  key: Buffer,
): Promise<{ type: DestinationType; config: Record<string, unknown> }> {
  const row = await findRow(db, workspaceId, id);
  return {
    type: typeOf(row.type),
    config: { ...(row.config as Record<string, unknown>), ...storedSecrets(row, key) },
  };
}

export async function createDestination(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: CreateDestinationInput,
  secretKey: Buffer,
): Promise<DestinationView> {
  const type = typeOf(input.type);
  const prepared = prepareConfig(type, input.config, {}, secretKey);
  return withTx(db, async (tx) => {
    const existing = await tx.destination.findFirst({
      where: { workspaceId, name: input.name },
      select: { id: true },
    });
    if (existing) throw duplicateName(input.name);
    const row = await tx.destination
      .create({
        data: {
          id: newId('dst'),
          workspaceId,
          name: input.name,
          type: type.id,
          enabled: input.enabled,
          config: prepared.config as object,
          encryptedSecrets: prepared.encryptedSecrets,
        },
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? duplicateName(input.name) : error;
      });
    const view = toView(row, secretKey);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'destination.create',
      targetType: 'destination',
      targetId: row.id,
      after: view,
    });
    return view;
  });
}

export async function updateDestination(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: UpdateDestinationInput,
  secretKey: Buffer,
): Promise<DestinationView> {
  return withTx(db, async (tx) => {
    const row = await findRow(tx, workspaceId, input.id);
    const before = toView(row, secretKey);
    const prepared = input.config ? prepareUpdate(typeOf(row.type), row, input.config, secretKey) : undefined;
    const updated = await tx.destination
      .updateMany({
        where: { id: input.id, workspaceId, version: input.version },
        data: {
          name: input.name,
          enabled: input.enabled,
          ...(prepared
            ? { config: prepared.config as object, encryptedSecrets: prepared.encryptedSecrets }
            : {}),
          version: { increment: 1 },
        },
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error) && input.name ? duplicateName(input.name) : error;
      });
    if (updated.count === 0) throw staleVersion('destination');
    const after = toView(await findRow(tx, workspaceId, input.id), secretKey);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'destination.update',
      targetType: 'destination',
      targetId: input.id,
      before,
      after,
    });
    return after;
  });
}

export async function deleteDestination(
  db: DbHandle,
  actor: Actor,
  workspaceId: string,
  input: DeleteDestinationInput,
  secretKey: Buffer,
): Promise<{ deletedConnections: number }> {
  return withTx(db, async (tx) => {
    const before = toView(await findRow(tx, workspaceId, input.id), secretKey);
    const deletedConnections = await deleteConnectionsOf(
      tx,
      actor,
      workspaceId,
      { kind: 'destination', id: input.id, name: before.name },
      input.cascade,
    );
    await tx.destination.delete({ where: { id: input.id } });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'destination.delete',
      targetType: 'destination',
      targetId: input.id,
      before,
    });
    return { deletedConnections };
  });
}

export interface TestConnectionResult {
  ok: boolean;
  /** The HTTP status the destination answered, if it answered. */
  status: number | null;
  durationMs: number;
  /** What happened, in words; never the response body or the request headers, which may hold secrets. */
  message: string;
}

/** A sample event for "test connection". */
function testEvent(): StoredEvent {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'Keel Test Connection',
    messageId: `keel-test-${newId('msg')}`,
    anonymousId: 'keel-test',
    properties: { test: true },
    receivedAt: now,
    timestamp: now,
    originalTimestamp: now,
    sentAt: now,
    context: { library: { name: 'keel', version: '0.1.0' } },
  } as StoredEvent;
}

/** Sends one test event to a saved destination, with its stored secrets, and reports the outcome. */
export async function testDestinationConnection(
  db: DbHandle,
  workspaceId: string,
  id: string,
  secretKey: Buffer,
  timeoutMs: number,
): Promise<TestConnectionResult> {
  const { type, config } = await destinationConfigWithSecrets(db, workspaceId, id, secretKey);
  if (!type.supportsTestConnection) {
    throw new DomainError('precondition-failed', `${type.title} destinations cannot be tested from here.`);
  }
  const parsed = type.configSchema.safeParse(config);
  if (!parsed.success) {
    throw new DomainError(
      'precondition-failed',
      'The saved settings are no longer valid; edit and save the destination first.',
    );
  }
  const transformed = type.transform(testEvent(), parsed.data);
  if (!transformed.ok) return { ok: false, status: null, durationMs: 0, message: transformed.reason };
  const req = type.toRequest(transformed.payloads, parsed.data);
  const started = performance.now();
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    const durationMs = Math.round(performance.now() - started);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return {
      ok,
      status: res.statusCode,
      durationMs,
      message: ok
        ? `The destination accepted the test event (HTTP ${res.statusCode}).`
        : `The destination answered HTTP ${res.statusCode}; check the URL and credentials.`,
    };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const { name, code } = error as { name?: unknown; code?: unknown };
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    const reason = typeof code === 'string' ? code : typeof name === 'string' ? name : 'network error';
    const message = timedOut
      ? `The destination did not answer within ${timeoutMs} ms.`
      : `Could not reach the destination (${reason}); check the URL and that the host accepts connections.`;
    return { ok: false, status: null, durationMs, message };
  }
}
