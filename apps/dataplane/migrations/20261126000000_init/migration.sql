-- The gateway's durable intake. Rows are appended by COPY in group commits and never updated;
-- the pipeline issue replaces this with partitioned datasets (see docs/jobsdb.md).
CREATE TABLE gw_jobs (
    job_id BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    payload TEXT NOT NULL
);

-- The last workspace config the data plane pulled, so it can start while the control plane is away.
CREATE TABLE dp_config_cache (
    id SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    etag TEXT NOT NULL,
    config JSONB NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
