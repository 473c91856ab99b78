import type pg from 'pg';
import { copyIn, copyJson, copyText } from './copy';
import { LOCK_CLASS, LOCKS } from './locks';

/** One accepted event, as the gateway hands it to storage. */
export interface GatewayJob {
  workspaceId: string;
  sourceId: string;
  userKey: string;
  messageId: string;
  receivedAt: Date;
  /** The enriched event, serialised once by the gateway. */
  payload: string;
}

/**
 * One gw_jobs row in COPY's text format. `prefix` is `gatewayRowPrefix(workspaceId, sourceId)`
 * and `receivedAt` the ISO time, both shared by a request's events; `payload` is the event's JSON.
 */
export function gatewayRow(
  prefix: string,
  userKey: string,
  messageId: string,
  receivedAt: string,
  payload: string,
): string {
  return `${prefix}${copyText(userKey)}\t${copyText(messageId)}\t${receivedAt}\t${copyJson(payload)}\n`;
}

export function gatewayRowPrefix(workspaceId: string, sourceId: string): string {
  return `${copyText(workspaceId)}\t${copyText(sourceId)}\t`;
}

/** Jobs as COPY text rows, for `appendGatewayRows`. Their payloads may be any text. */
export function encodeGatewayJobs(jobs: readonly GatewayJob[]): Buffer {
  let text = '';
  for (const j of jobs) {
    const prefix = gatewayRowPrefix(j.workspaceId, j.sourceId);
    text += `${prefix}${copyText(j.userKey)}\t${copyText(j.messageId)}\t${j.receivedAt.toISOString()}\t${copyText(j.payload)}\n`;
  }
  return Buffer.from(text);
}

/** Appends jobs; see `appendGatewayRows`. */
export function appendGatewayJobs(client: pg.ClientBase, jobs: readonly GatewayJob[]): Promise<void> {
  return jobs.length === 0 ? Promise.resolve() : appendGatewayRows(client, [encodeGatewayJobs(jobs)]);
}

/**
 * The ordering lock and the COPY as one simple-query message. Outside a transaction block the
 * two run as one implicit transaction that commits before the answer, so a group commit costs
 * two round trips (query → CopyInResponse, rows → committed) instead of five with
 * BEGIN/lock/COPY/COMMIT. Each round trip waits behind whatever requests the event loop is
 * parsing, so this is what keeps commits short under load. `DO` takes the lock without
 * returning a row, which a COPY query could not receive.
 */
const APPEND_SQL = `DO $$BEGIN PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, ${LOCKS.gatewayAppend}); END$$;
COPY gw_jobs (workspace_id, source_id, user_key, message_id, received_at, payload) FROM STDIN`;

/**
 * Appends rows already in COPY's text format (whole lines; see `gatewayRow`). Inside the
 * caller's open transaction (BEGIN … COMMIT) they commit with it; with no transaction open
 * they are committed when this resolves. COPY of text rows is the fastest way into Postgres
 * measured here, and the gateway encodes each request's rows as it arrives, so a commit only
 * sends bytes.
 *
 * The ordering lock serialises gateway writers from their COPY to their commit, so that ids
 * commit in order and the processor never skips a row of a slower transaction (docs/jobsdb.md).
 */
export async function appendGatewayRows(client: pg.ClientBase, chunks: readonly Buffer[]): Promise<void> {
  if (chunks.length === 0) return;
  await copyIn(client, APPEND_SQL, chunks);
}
