import pg from 'pg';
import { memoizeByText } from '../memo';

/** A pool or a single client: what functions that run one statement at a time take. */
export type Queryable = pg.Pool | pg.ClientBase;

const TIMESTAMPTZ_OID = 1184;
const parseTimestamp = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;
/**
 * Timestamps parsed once per distinct text: the jobs of one gateway request share their
 * `received_at`, and parsing it for every row read was a few percent of the data plane's CPU.
 * The Dates are shared, so nothing may modify them.
 */
const parseTimestampOnce = memoizeByText(parseTimestamp, 10_000);

/** Type parsers for queries that read jobs: pg's own, but timestamps parsed once per text. */
export const jobTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ_OID && format !== 'binary') return parseTimestampOnce;
    return pg.types.getTypeParser(oid, format);
  },
};
