CREATE TABLE "run_vocabularies" (
	"run_id" text PRIMARY KEY NOT NULL,
	"size" integer NOT NULL,
	"tokens" text[] NOT NULL,
	"byte_level" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upload_sequence_tokens" (
	"upload_id" text NOT NULL,
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"first_pos" integer NOT NULL,
	"length" integer NOT NULL,
	"token_ids" "bytea" NOT NULL,
	CONSTRAINT "upload_sequence_tokens_upload_id_seq_first_pos_pk" PRIMARY KEY("upload_id","seq","first_pos")
);
--> statement-breakpoint
CREATE TABLE "upload_token_cells" (
	"upload_id" text NOT NULL,
	"run_id" text NOT NULL,
	"layer" integer NOT NULL,
	"expert" integer NOT NULL,
	"label" text NOT NULL,
	"part" integer DEFAULT 0 NOT NULL,
	"token_ids" "bytea" NOT NULL,
	"counts" "bytea" NOT NULL,
	"sample_seq" "bytea",
	"sample_pos" "bytea",
	"sample_token" "bytea",
	"sample_weight" "bytea",
	CONSTRAINT "upload_token_cells_upload_id_layer_expert_label_part_pk" PRIMARY KEY("upload_id","layer","expert","label","part")
);
--> statement-breakpoint
CREATE TABLE "upload_token_strings" (
	"upload_id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"token_ids" "bytea" NOT NULL,
	"strings" text[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "run_vocabularies" ADD CONSTRAINT "run_vocabularies_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_sequence_tokens" ADD CONSTRAINT "upload_sequence_tokens_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_token_cells" ADD CONSTRAINT "upload_token_cells_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_token_strings" ADD CONSTRAINT "upload_token_strings_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "upload_sequence_tokens_run_idx" ON "upload_sequence_tokens" USING btree ("run_id","seq","first_pos");--> statement-breakpoint
CREATE INDEX "upload_token_cells_run_idx" ON "upload_token_cells" USING btree ("run_id","layer","expert");