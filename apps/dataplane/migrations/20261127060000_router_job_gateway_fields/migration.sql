-- A router job that refers to its gateway event (gw_job_id) leaves user_key, message_id and
-- received_at NULL: the gateway row it refers to holds them, and the router reads them there
-- with the event. Other jobs (transformed payloads, replays) still fill them.
ALTER TABLE rt_jobs
    ALTER COLUMN user_key DROP NOT NULL,
    ALTER COLUMN message_id DROP NOT NULL,
    ALTER COLUMN received_at DROP NOT NULL;
