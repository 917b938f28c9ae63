CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "event_chunks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"upload_id" text NOT NULL,
	"run_id" text NOT NULL,
	"chunk_no" integer NOT NULL,
	"count" integer NOT NULL,
	"k" smallint NOT NULL,
	"label_names" text[] DEFAULT '{}'::text[] NOT NULL,
	"layers" "bytea" NOT NULL,
	"experts" "bytea" NOT NULL,
	"weights" "bytea",
	"logits" "bytea",
	"seq" "bytea" NOT NULL,
	"pos" "bytea" NOT NULL,
	"token_ids" "bytea",
	"labels" "bytea"
);
--> statement-breakpoint
CREATE TABLE "label_loads" (
	"run_id" text NOT NULL,
	"label" text NOT NULL,
	"tokens" "bytea" NOT NULL,
	"load" "bytea" NOT NULL,
	CONSTRAINT "label_loads_run_id_label_pk" PRIMARY KEY("run_id","label")
);
--> statement-breakpoint
CREATE TABLE "layer_aggregates" (
	"run_id" text NOT NULL,
	"layer" integer NOT NULL,
	"tokens" double precision NOT NULL,
	"load" "bytea" NOT NULL,
	"weight_sum" "bytea" NOT NULL,
	"coactivation" "bytea" NOT NULL,
	CONSTRAINT "layer_aggregates_run_id_layer_pk" PRIMARY KEY("run_id","layer")
);
--> statement-breakpoint
CREATE TABLE "models" (
	"id" text PRIMARY KEY NOT NULL,
	"preset_id" text,
	"name" text NOT NULL,
	"layers" integer NOT NULL,
	"experts" integer NOT NULL,
	"top_k" integer NOT NULL,
	"config" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"visibility" text DEFAULT 'public' NOT NULL,
	"policy" text DEFAULT 'vanilla' NOT NULL,
	"model_id" text NOT NULL,
	"events" bigint DEFAULT 0 NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	"labels" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shares" (
	"id" text PRIMARY KEY NOT NULL,
	"path" text NOT NULL,
	"run_id" text,
	"state" jsonb NOT NULL,
	"snapshot" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"status" text DEFAULT 'staging' NOT NULL,
	"format" text NOT NULL,
	"file_name" text,
	"sha256" text,
	"shard" text,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"events" bigint DEFAULT 0 NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	"labels" text[] DEFAULT '{}'::text[] NOT NULL,
	"has_weights" boolean DEFAULT false NOT NULL,
	"has_logits" boolean DEFAULT false NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"committed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "event_chunks" ADD CONSTRAINT "event_chunks_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "label_loads" ADD CONSTRAINT "label_loads_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "layer_aggregates" ADD CONSTRAINT "layer_aggregates_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_chunks_upload_idx" ON "event_chunks" USING btree ("upload_id","chunk_no");--> statement-breakpoint
CREATE INDEX "event_chunks_run_idx" ON "event_chunks" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "runs_created_idx" ON "runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "uploads_run_idx" ON "uploads" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "uploads_run_sha_committed" ON "uploads" USING btree ("run_id","sha256") WHERE status = 'committed';--> statement-breakpoint
CREATE UNIQUE INDEX "uploads_run_shard_committed" ON "uploads" USING btree ("run_id","shard") WHERE status = 'committed' and shard is not null;