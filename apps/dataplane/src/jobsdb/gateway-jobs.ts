import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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

/** COPY's text format escapes backslash, tab, newline and carriage return. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * Appends jobs with COPY inside the caller's transaction, which must be open (BEGIN … COMMIT):
 * the ordering lock taken here lasts until that transaction ends. COPY of text rows is the
 * fastest way into Postgres measured here (about 230,000 rows/s for ~430-byte events).
 *
 * The lock serialises gateway writers from their COPY to their commit, so that ids commit in
 * order and the processor never skips a row of a slower transaction (docs/jobsdb.md).
 */
export async function appendGatewayJobs(client: pg.ClientBase, jobs: readonly GatewayJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await client.query({
    name: 'keel-gw-append-lock',
    text: 'SELECT pg_advisory_xact_lock($1, $2)',
    values: [LOCK_CLASS, LOCKS.gatewayAppend],
  });
  // Jobs of one request share their receivedAt Date; format each distinct one once.
  let lastDate: Date | undefined;
  let lastIso = '';
  let text = '';
  for (const j of jobs) {
    if (j.receivedAt !== lastDate) {
      lastDate = j.receivedAt;
      lastIso = j.receivedAt.toISOString();
    }
    text += `${copyText(j.workspaceId)}\t${copyText(j.sourceId)}\t${copyText(j.userKey)}\t${copyText(j.messageId)}\t${lastIso}\t${copyText(j.payload)}\n`;
  }
  const stream = client.query(
    copyFrom('COPY gw_jobs (workspace_id, source_id, user_key, message_id, received_at, payload) FROM STDIN'),
  );
  // Writing the whole text at once measured 283 µs of CPU per small COPY, against 704 µs
  // through stream.pipeline(Readable.from(...)).
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    stream.end(text);
  });
}
