ALTER TABLE "uploads" ADD COLUMN "client_key" text;--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "uploads_client_key_idx" ON "uploads" USING btree ("run_id","client_key");