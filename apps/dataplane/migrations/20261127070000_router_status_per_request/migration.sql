-- The jobs a request delivered together share one status row: job_ids lists them all (job_id
-- is the first, last_job_id the last, in id order), so a batch of 100 is one row, not 100.
-- Other statuses (retries, aborts, single deliveries) stay one row per job, job_ids NULL.
-- The partial index finds the batch rows that may cover a range of jobs.
ALTER TABLE rt_status ADD COLUMN job_ids BIGINT[], ADD COLUMN last_job_id BIGINT;
CREATE INDEX rt_status_batch_idx ON rt_status (last_job_id) WHERE job_ids IS NOT NULL;
