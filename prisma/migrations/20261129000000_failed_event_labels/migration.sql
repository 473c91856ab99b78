-- AlterTable
ALTER TABLE "failed_event_samples" ADD COLUMN     "user_key" TEXT,
ADD COLUMN     "event_label" TEXT;
