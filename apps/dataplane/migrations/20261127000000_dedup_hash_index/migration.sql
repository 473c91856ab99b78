-- Dedup ids are random (UUIDs), so every insert into a B-tree over (bucket, source_id,
-- message_id) landed on a random leaf of a large index, and every lookup descended it. A hash
-- index on message_id is a fraction of the size and answers equality in one bucket page.
-- Uniqueness needs no constraint: only the processor holding the lease writes here, in the
-- transaction that fences its batch (proc_done), after it looked the ids up.
ALTER TABLE proc_dedup DROP CONSTRAINT proc_dedup_pkey;
CREATE INDEX proc_dedup_message_idx ON proc_dedup USING hash (message_id);
