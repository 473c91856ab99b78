-- One rt_jobs row can stand for several jobs: job_count consecutive job ids from job_id. The
-- processor writes consecutive jobs of one destination and shard that send their gateway
-- events unchanged as one such row: gw_job_ids lists those events in job order (gw_job_id is
-- the first), and every job keeps its own id, statuses and place in its user's order. A row of
-- one job leaves gw_job_ids NULL, as before.
ALTER TABLE rt_jobs
    ADD COLUMN job_count INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN gw_job_ids BIGINT[];

-- A row of several jobs takes its first id from the sequence like any row, and this moves the
-- sequence past the rest. Every writer holds the router append lock, so no id is handed out
-- in between.
CREATE FUNCTION rt_jobs_reserve_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM setval('rt_jobs_job_id_seq', NEW.job_id + NEW.job_count - 1);
    RETURN NEW;
END
$$;
CREATE TRIGGER rt_jobs_reserve_ids BEFORE INSERT ON rt_jobs
    FOR EACH ROW WHEN (NEW.job_count > 1) EXECUTE FUNCTION rt_jobs_reserve_ids();
