-- A router job's body as JSON text beside its envelope, so that the router can splice bodies
-- into requests without parsing and serialising every event again, and the processor can
-- store an untransformed event's gateway payload as it is. When body is NULL (replays, rows
-- written before this column), payload holds the whole delivery payload, body included.
ALTER TABLE rt_jobs ADD COLUMN body TEXT;
