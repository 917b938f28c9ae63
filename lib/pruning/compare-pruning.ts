import { droppedSetJaccard, dropStepOf } from "@/lib/analysis/pruning";
import { badRequest } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { listPruningRuns } from "@/lib/db/queries/pruning-runs";
import { toPruningRunView } from "./create-pruning-run";

/**
 * GET /api/pruning-runs/compare?ids=: the runs themselves (metric vs share dropped is drawn from
 * their steps), each run's layer × expert step of dropping, and the Jaccard overlap of the final
 * dropped sets between every two runs of the same shape.
 */
export async function comparePruningRuns(db: Db, viewer: Viewer, ids: string[]) {
  if (!ids.length || ids.length > 16)
    throw badRequest("invalid_field", "ids must list 1 to 16 pruning run ids, comma-separated", "query parameter ids");
  const rows = await listPruningRuns(db, viewer, { ids });
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length)
    throw badRequest("not_found", `no pruning run ${missing.map((m) => `"${m}"`).join(", ")}`, "query parameter ids");
  const runs = ids.map((id) => rows.find((r) => r.id === id)!);
  const withSets = runs.map((r) => r.steps.filter((s) => s.dropped) as { dropped: number[][] }[]);
  const dropStep = Object.fromEntries(
    runs.map((r, i) => {
      if (!withSets[i].length) return [r.id, null];
      const m = dropStepOf(withSets[i], r.model.layers, r.model.experts);
      return [
        r.id,
        Array.from({ length: r.model.layers }, (_, l) =>
          Array.from(m.subarray(l * r.model.experts, (l + 1) * r.model.experts)),
        ),
      ];
    }),
  );
  const jaccard: { a: string; b: string; mean: number | null; perLayer: (number | null)[] }[] = [];
  runs.forEach((a, i) =>
    runs.forEach((b, j) => {
      if (
        j <= i ||
        !withSets[i].length ||
        !withSets[j].length ||
        a.model.layers !== b.model.layers ||
        a.model.experts !== b.model.experts
      )
        return;
      jaccard.push({ a: a.id, b: b.id, ...droppedSetJaccard(finalSet(withSets[i]), finalSet(withSets[j])) });
    }),
  );
  return { runs: runs.map(toPruningRunView), dropStep, jaccard };
}

/** Everything dropped by the last step (steps may list cumulative or incremental sets). */
function finalSet(steps: { dropped: number[][] }[]): number[][] {
  return steps[0].dropped.map((_, l) => [...new Set(steps.flatMap((s) => s.dropped[l]))].sort((a, b) => a - b));
}
