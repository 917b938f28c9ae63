ALTER TABLE "runs" ADD COLUMN "series" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "step" integer;--> statement-breakpoint
CREATE UNIQUE INDEX "runs_series_step" ON "runs" USING btree ("series","step");