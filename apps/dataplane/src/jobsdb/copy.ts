import type pg from 'pg';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY's text format escapes backslash, tab, newline and carriage return. */
export function copyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

const RAW_WHITESPACE = /[\t\n\r]/;

/**
 * `copyText` for JSON text. Compact JSON (JSON.stringify's, jsonb's) holds no raw control
 * characters, so usually only its backslashes need doubling, which replaceAll does several
 * times faster than the general replace. Most bodies need nothing: one scan tells.
 */
export function copyJson(json: string): string {
  if (!NEEDS_ESCAPE.test(json)) return json;
  if (RAW_WHITESPACE.test(json)) return copyText(json);
  return json.replaceAll('\\', '\\\\');
}

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

/** The connection of a pg Client: what a custom query is handed when its turn comes. */
interface PgConnection {
  query(text: string): void;
  stream: { write(data: Buffer | string): boolean; cork(): void; uncork(): void };
}

/**
 * A simple-query message whose COPY … FROM STDIN statements get their data right behind the
 * query, in the same write, instead of after each CopyInResponse. Waiting for that response put
 * a turn of the event loop (milliseconds when the data plane is busy) inside the gateway's
 * ordering lock, which every other gateway commit then waited for. The protocol allows it: the
 * server reads each COPY's data once it reaches that statement, and if a statement fails it
 * drops the CopyData and CopyDone messages it meets outside copy mode. `sections` holds the data
 * of each COPY in the message, in order. pg's Client calls the handlers below.
 */
class PipelinedCopy {
  private failed = false;

  constructor(
    private readonly sql: string,
    private readonly sections: readonly (readonly (Buffer | string)[])[],
    private readonly settle: (error?: Error) => void,
  ) {}

  submit(connection: PgConnection): void {
    // Corked, the query and all its CopyData go out in one writev instead of two writes per chunk.
    connection.stream.cork();
    connection.query(this.sql);
    for (const chunks of this.sections) {
      for (const chunk of chunks) {
        const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        const header = Buffer.allocUnsafe(5);
        header[0] = COPY_DATA;
        header.writeUInt32BE(data.length + 4, 1);
        connection.stream.write(header);
        connection.stream.write(data);
      }
      connection.stream.write(COPY_DONE);
    }
    connection.stream.uncork();
  }

  /** pg replaces this with its query_timeout handling when that is configured. */
  callback(): void {}

  handleError(error: Error): void {
    this.callback();
    this.failed = true;
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.callback();
    if (!this.failed) this.settle();
  }

  handleCopyInResponse(): void {}
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

function sendPipelined(
  client: pg.ClientBase,
  sql: string,
  sections: readonly (readonly (Buffer | string)[])[],
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const copy = new PipelinedCopy(sql, sections, (error) => (error ? reject(error) : resolve()));
    (client as unknown as { query(q: PipelinedCopy): void }).query(copy);
  });
}

/** One step of a script: a statement without parameters, or a COPY … FROM STDIN with its rows. */
export type ScriptStep = string | { copy: string; rows: string };

/**
 * Runs `steps` as one message and one round trip, e.g. a whole transaction from BEGIN to
 * COMMIT. If a statement fails the rest are skipped and this rejects; a transaction the script
 * opened is then left aborted, for the caller to roll back. COPY steps without rows are left out.
 */
export function runScript(client: pg.ClientBase, steps: readonly ScriptStep[]): Promise<void> {
  const statements: string[] = [];
  const sections: string[][] = [];
  for (const step of steps) {
    if (typeof step === 'string') statements.push(step);
    else if (step.rows.length > 0) {
      statements.push(step.copy);
      sections.push([step.rows]);
    }
  }
  if (statements.length === 0) return Promise.resolve();
  return sendPipelined(client, statements.join(';\n'), sections);
}

/**
 * Runs `sql` (ending in a `COPY … FROM STDIN`; statements before it may share the message) and
 * sends `chunks`, whole lines of COPY text, one CopyData message each, pipelined behind it.
 */
export function copyIn(
  client: pg.ClientBase,
  sql: string,
  chunks: readonly (Buffer | string)[],
): Promise<void> {
  return sendPipelined(client, sql, [chunks]);
}
