import type { RunWithModel } from "@/lib/db/queries/runs";
import type { UploadRow } from "@/lib/db/schema";

/** The public JSON shape of a run (GET /api/runs/{id}); pages use the same shape. */
export function toRunView(run: RunWithModel, uploads?: UploadRow[]) {
  return {
    id: run.id,
    name: run.name,
    description: run.description,
    tags: run.tags,
    visibility: run.visibility,
    policy: run.policy,
    series: run.series,
    step: run.step,
    /** The id of the API token that owns the run (it and admin tokens may change it), or null. */
    owner: run.ownerTokenId,
    model: { id: run.model.id, preset: run.model.presetId, ...run.model.config },
    tokens: run.tokens,
    events: run.events,
    labels: run.labels,
    meanBalance: run.meanBalance,
    meanCollaborationEntropy: run.meanCollabEntropy,
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
    ...(uploads
      ? {
          uploads: uploads.map((u) => ({
            id: u.id,
            format: u.format,
            fileName: u.fileName,
            bytes: u.bytes,
            events: u.events,
            tokens: u.tokens,
            hasWeights: u.hasWeights,
            hasLogits: u.hasLogits,
            committedAt: u.committedAt?.toISOString() ?? null,
          })),
          warnings: uploads.flatMap((u) => u.warnings.map((w) => ({ ...w, uploadId: u.id, fileName: u.fileName }))),
        }
      : {}),
  };
}
export type RunView = ReturnType<typeof toRunView>;
