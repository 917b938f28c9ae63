ALTER TABLE "pruning_runs" DROP CONSTRAINT "pruning_runs_run_id_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "quant_results" DROP CONSTRAINT "quant_results_run_id_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "quant_results" DROP CONSTRAINT "quant_results_fp_run_id_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "quant_results" DROP CONSTRAINT "quant_results_quant_run_id_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "admin" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "run_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "pruning_runs" ADD CONSTRAINT "pruning_runs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_fp_run_id_runs_id_fk" FOREIGN KEY ("fp_run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_quant_run_id_runs_id_fk" FOREIGN KEY ("quant_run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Every shared view names its runs: a comparison also shows run b, a C2R simulation the run its collaborators came from.
UPDATE "shares" SET "run_ids" = array_remove(ARRAY["run_id", substring("path" from '[?&]b=([^&#]+)'), substring("path" from '[?&]from=([^&#]+)')], NULL) WHERE "run_id" IS NOT NULL;--> statement-breakpoint
-- The first token of a server is its admin (as new servers do), so ownerless runs keep someone who can reach them.
UPDATE "api_tokens" SET "admin" = true WHERE "id" = (SELECT "id" FROM "api_tokens" ORDER BY "created_at", "id" LIMIT 1);
