CREATE TABLE "pruning_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"model_id" text NOT NULL,
	"run_id" text,
	"criterion" text NOT NULL,
	"direction" text,
	"schedule" text NOT NULL,
	"dense" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"steps" jsonb NOT NULL,
	"source" text DEFAULT '' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"owner_token_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quant_results" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"model_id" text NOT NULL,
	"method" text NOT NULL,
	"group_size" integer,
	"bits" jsonb NOT NULL,
	"avg_bits" double precision NOT NULL,
	"size_bytes" double precision NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source" text DEFAULT '' NOT NULL,
	"run_id" text,
	"fp_run_id" text,
	"quant_run_id" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"owner_token_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pruning_runs" ADD CONSTRAINT "pruning_runs_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pruning_runs" ADD CONSTRAINT "pruning_runs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pruning_runs" ADD CONSTRAINT "pruning_runs_owner_token_id_api_tokens_id_fk" FOREIGN KEY ("owner_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_fp_run_id_runs_id_fk" FOREIGN KEY ("fp_run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_quant_run_id_runs_id_fk" FOREIGN KEY ("quant_run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quant_results" ADD CONSTRAINT "quant_results_owner_token_id_api_tokens_id_fk" FOREIGN KEY ("owner_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pruning_runs_model_idx" ON "pruning_runs" USING btree ("model_id");--> statement-breakpoint
CREATE INDEX "quant_results_model_idx" ON "quant_results" USING btree ("model_id");