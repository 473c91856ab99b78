-- AlterTable
ALTER TABLE "live_events" ADD COLUMN     "sample_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "live_events_workspace_id_sample_id_key" ON "live_events"("workspace_id", "sample_id");
