DROP INDEX "runs_created_idx";--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "mean_balance" double precision;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "mean_collab_entropy" double precision;--> statement-breakpoint
CREATE INDEX "runs_sort_created" ON "runs" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "runs_sort_name" ON "runs" USING btree (lower("name"),"id");--> statement-breakpoint
CREATE INDEX "runs_sort_policy" ON "runs" USING btree ("policy","id");--> statement-breakpoint
CREATE INDEX "runs_sort_events" ON "runs" USING btree ("events","id");--> statement-breakpoint
CREATE INDEX "runs_sort_tokens" ON "runs" USING btree ("tokens","id");--> statement-breakpoint
CREATE INDEX "runs_sort_tags" ON "runs" USING btree ("tags","id");--> statement-breakpoint
CREATE INDEX "runs_sort_series_asc" ON "runs" USING btree ("series","step","id");--> statement-breakpoint
CREATE INDEX "runs_sort_series_desc" ON "runs" USING btree ("series" DESC NULLS LAST,"step" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_sort_balance_asc" ON "runs" USING btree ("mean_balance","id");--> statement-breakpoint
CREATE INDEX "runs_sort_balance_desc" ON "runs" USING btree ("mean_balance" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_sort_entropy_asc" ON "runs" USING btree ("mean_collab_entropy","id");--> statement-breakpoint
CREATE INDEX "runs_sort_entropy_desc" ON "runs" USING btree ("mean_collab_entropy" DESC NULLS LAST,"id" DESC NULLS LAST);