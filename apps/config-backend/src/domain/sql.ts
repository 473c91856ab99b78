import type pg from 'pg';

/**
 * The raw `pg` handle that the data-plane-facing domain functions take: a pool, or a client
 * already in a transaction. They use plain parameterised SQL because they run on the hot
 * path of every data plane's polls and pushes.
 */
export type Sql = pg.Pool | pg.PoolClient | pg.Client;
