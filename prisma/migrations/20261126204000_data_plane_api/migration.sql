-- CreateTable
CREATE TABLE "live_watches" (
    "workspace_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "source_id" TEXT,
    "destination_id" TEXT,
    "until" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "live_watches_pkey" PRIMARY KEY ("workspace_id","scope")
);

-- CreateTable
CREATE TABLE "live_events" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "data_plane_id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "destination_id" TEXT,
    "message_id" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "request" JSONB,
    "response" JSONB,
    "reason" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "live_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "live_watches_until_idx" ON "live_watches"("until");

-- CreateIndex
CREATE INDEX "live_events_workspace_id_id_idx" ON "live_events"("workspace_id", "id");

-- CreateIndex
CREATE INDEX "failed_event_samples_workspace_id_failed_at_idx" ON "failed_event_samples"("workspace_id", "failed_at");

-- AddForeignKey
ALTER TABLE "live_watches" ADD CONSTRAINT "live_watches_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "live_events" ADD CONSTRAINT "live_events_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written (Prisma has no notion of triggers): every change to a table that the data
-- plane's config is built from wakes the config-backend's LISTEN connection, which drops its
-- cached configs and answers waiting long-polls. Statement-level, so a bulk change notifies
-- once, and NOTIFY folds identical payloads within one transaction.
CREATE FUNCTION "keel_notify_config_changed"() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('keel_config_changed', TG_TABLE_NAME);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "workspaces_config_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "workspaces" FOR EACH STATEMENT EXECUTE FUNCTION "keel_notify_config_changed"();
CREATE TRIGGER "sources_config_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sources" FOR EACH STATEMENT EXECUTE FUNCTION "keel_notify_config_changed"();
CREATE TRIGGER "write_keys_config_changed" AFTER INSERT OR UPDATE OF "key", "revoked_at", "source_id" OR DELETE OR TRUNCATE ON "write_keys" FOR EACH STATEMENT EXECUTE FUNCTION "keel_notify_config_changed"();
CREATE TRIGGER "destinations_config_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "destinations" FOR EACH STATEMENT EXECUTE FUNCTION "keel_notify_config_changed"();
CREATE TRIGGER "connections_config_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "connections" FOR EACH STATEMENT EXECUTE FUNCTION "keel_notify_config_changed"();
CREATE TRIGGER "transformations_config_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "transformations" FOR EACH STATEMENT EXECUTE FUNCTION "keel_notify_config_changed"();
CREATE TRIGGER "transformation_versions_config_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "transformation_versions" FOR EACH STATEMENT EXECUTE FUNCTION "keel_notify_config_changed"();
