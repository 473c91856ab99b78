-- The data plane's job storage; docs/jobsdb.md explains the design. Job tables are range
-- partitioned on job_id; the maintenance loop (src/jobsdb/maintenance.ts) creates partitions
-- ahead of the sequences and drops them whole once every job in them is finished. Each
-- partitioned table also has a DEFAULT partition so that a writer never fails when no
-- maintenance loop has run yet (a bare test database, a gateway started before it).

-- The gateway's durable intake. Rows are appended by COPY in group commits and never updated.
CREATE SEQUENCE gw_jobs_job_id_seq;
CREATE TABLE gw_jobs (
    job_id BIGINT NOT NULL DEFAULT nextval('gw_jobs_job_id_seq'),
    workspace_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (job_id)
) PARTITION BY RANGE (job_id);
ALTER SEQUENCE gw_jobs_job_id_seq OWNED BY gw_jobs.job_id;
CREATE TABLE gw_jobs_default PARTITION OF gw_jobs DEFAULT;

-- The processor's progress: one row per processed batch, written in the same transaction as
-- the batch's router jobs. The primary key fences off a second processor working the same range.
CREATE TABLE proc_done (
    first_job_id BIGINT PRIMARY KEY,
    last_job_id BIGINT NOT NULL,
    done_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- messageIds seen per source, in generations of one dedup window each (bucket = epoch / window).
CREATE TABLE proc_dedup (
    bucket INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (bucket, source_id, message_id)
) PARTITION BY RANGE (bucket);
CREATE TABLE proc_dedup_default PARTITION OF proc_dedup DEFAULT;

-- Delivery jobs, one per destination payload. Written by the processor and by replays.
CREATE SEQUENCE rt_jobs_job_id_seq;
CREATE TABLE rt_jobs (
    job_id BIGINT NOT NULL DEFAULT nextval('rt_jobs_job_id_seq'),
    workspace_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    shard SMALLINT NOT NULL,
    user_key TEXT NOT NULL,
    ordered BOOLEAN NOT NULL,
    message_id TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    replay_of TEXT,
    payload TEXT NOT NULL,
    PRIMARY KEY (job_id)
) PARTITION BY RANGE (job_id);
ALTER SEQUENCE rt_jobs_job_id_seq OWNED BY rt_jobs.job_id;
CREATE INDEX rt_jobs_destination_shard_idx ON rt_jobs (destination_id, shard, job_id);
CREATE TABLE rt_jobs_default PARTITION OF rt_jobs DEFAULT;

-- Append-only status rows of router jobs, partitioned like rt_jobs so both drop together.
-- 'delivered' and 'aborted' are final; each failed attempt adds a 'retrying' row.
CREATE TABLE rt_status (
    job_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    error_code TEXT NOT NULL DEFAULT '',
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    detail JSONB
) PARTITION BY RANGE (job_id);
CREATE INDEX rt_status_job_idx ON rt_status (job_id);
CREATE TABLE rt_status_default PARTITION OF rt_status DEFAULT;

-- Aborted jobs, kept FAILED_EVENTS_RETENTION_DAYS days, pushed to the control plane.
CREATE TABLE failed_events (
    id TEXT PRIMARY KEY,
    rt_job_id BIGINT NOT NULL,
    workspace_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    error_code TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    request JSONB NOT NULL,
    response JSONB NOT NULL,
    attempt_log JSONB NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    pushed_at TIMESTAMPTZ
);
CREATE INDEX failed_events_failed_at_idx ON failed_events (failed_at);
CREATE INDEX failed_events_unpushed_idx ON failed_events (failed_at) WHERE pushed_at IS NULL;

-- Which failed events a replay command re-enqueued, so a command pulled twice replays once.
CREATE TABLE failed_event_replays (
    command_id TEXT NOT NULL,
    failed_event_id TEXT NOT NULL,
    replayed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (command_id, failed_event_id)
);

-- Report deltas: every transaction that changes statuses appends one row per report key; the
-- pusher folds them into per-minute aggregates for the control plane.
CREATE TABLE rpt_deltas (
    id BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    minute TIMESTAMPTZ NOT NULL,
    source_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT NOT NULL,
    count INTEGER NOT NULL,
    histogram INTEGER[] NOT NULL,
    samples JSONB NOT NULL
);
CREATE INDEX rpt_deltas_minute_idx ON rpt_deltas (minute);

-- The last workspace config the data plane pulled, so it can start while the control plane is away.
CREATE TABLE dp_config_cache (
    id SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    etag TEXT NOT NULL,
    config JSONB NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
