-- Which event a failed event was, for the failed-events list: "track · Order Completed",
-- "identify" (eventLabelOf in packages/shared). failed_events keeps it beside user_key.
ALTER TABLE failed_events ADD COLUMN event_label TEXT;

-- A router job whose body is not its gateway event (a destination transform or a user
-- transformation made it, or a replay) cannot name the event it came from when it is aborted,
-- so the processor, which holds the parsed event anyway, writes the label here; replays copy
-- it from failed_events. NULL for jobs that refer to their gateway events (gw_job_id): the
-- router names those from the event it reads, and only when one is aborted. NULL also for rows
-- written before this column.
ALTER TABLE rt_jobs ADD COLUMN event_label TEXT;
