import type pg from 'pg';

/** A pool or a single client: what functions that run one statement at a time take. */
export type Queryable = pg.Pool | pg.ClientBase;
