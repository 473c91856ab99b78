-- A router job whose body is its gateway event, unchanged (no transformation changed it and
-- the destination sends the event itself, as the webhook does), refers to that event by its
-- gw_jobs id instead of holding a second copy: body is NULL and the router reads gw_jobs.payload.
-- Maintenance keeps a gw_jobs partition while a router job still refers into it.
ALTER TABLE rt_jobs ADD COLUMN gw_job_id BIGINT;
