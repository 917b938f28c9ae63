CREATE TABLE "upload_label_sums" (
	"upload_id" text NOT NULL,
	"label" text NOT NULL,
	"tokens" "bytea" NOT NULL,
	"load" "bytea" NOT NULL,
	CONSTRAINT "upload_label_sums_upload_id_label_pk" PRIMARY KEY("upload_id","label")
);
--> statement-breakpoint
CREATE TABLE "upload_layer_sums" (
	"upload_id" text NOT NULL,
	"layer" integer NOT NULL,
	"tokens" double precision NOT NULL,
	"load" "bytea" NOT NULL,
	"weight_sum" "bytea" NOT NULL,
	"coactivation" "bytea" NOT NULL,
	"transitions" "bytea",
	CONSTRAINT "upload_layer_sums_upload_id_layer_pk" PRIMARY KEY("upload_id","layer")
);
--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "owner_token_id" text;--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "commit_no" integer;--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "has_sums" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "upload_label_sums" ADD CONSTRAINT "upload_label_sums_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_layer_sums" ADD CONSTRAINT "upload_layer_sums_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_owner_token_id_api_tokens_id_fk" FOREIGN KEY ("owner_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Uploads committed before this migration get their commit order from their commit time; they have no sums of their own (has_sums false).
UPDATE "uploads" SET "commit_no" = o."n" FROM (SELECT "id", row_number() OVER (PARTITION BY "run_id" ORDER BY "committed_at", "id") AS "n" FROM "uploads" WHERE "status" = 'committed') o WHERE "uploads"."id" = o."id";
--> statement-breakpoint
-- A run with one committed upload holds exactly that upload's sums (its first commit stored them as they were), so those uploads get their own sums back, bit for bit.
INSERT INTO "upload_layer_sums" ("upload_id", "layer", "tokens", "load", "weight_sum", "coactivation", "transitions") SELECT u."id", a."layer", a."tokens", a."load", a."weight_sum", a."coactivation", a."transitions" FROM "uploads" u JOIN "layer_aggregates" a ON a."run_id" = u."run_id" WHERE u."status" = 'committed' AND NOT u."has_sums" AND (SELECT count(*) FROM "uploads" v WHERE v."run_id" = u."run_id" AND v."status" = 'committed') = 1;
--> statement-breakpoint
INSERT INTO "upload_label_sums" ("upload_id", "label", "tokens", "load") SELECT u."id", l."label", l."tokens", l."load" FROM "uploads" u JOIN "label_loads" l ON l."run_id" = u."run_id" WHERE u."status" = 'committed' AND NOT u."has_sums" AND (SELECT count(*) FROM "uploads" v WHERE v."run_id" = u."run_id" AND v."status" = 'committed') = 1;
--> statement-breakpoint
UPDATE "uploads" u SET "has_sums" = true WHERE u."status" = 'committed' AND NOT u."has_sums" AND (SELECT count(*) FROM "uploads" v WHERE v."run_id" = u."run_id" AND v."status" = 'committed') = 1;
