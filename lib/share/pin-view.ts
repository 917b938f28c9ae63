import { badRequest } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { listCommittedUploads, type RunWithModel } from "@/lib/db/queries/runs";
import { toRunView } from "@/lib/runs/run-view";
import { computeView, type ComputedQuery } from "@/lib/views/compute-view";
import { views as appViews, type RecognizedView, type ViewRegistry } from "@/lib/views/registry";

/**
 * What a share pins: the run as it was, and every answer the view draws from, under the query
 * keys the view asks for (so the same component renders it from a pre-filled cache), or as props
 * for server-rendered parts. JSON round trip: exactly what the API would have sent. Which answers
 * a view draws is its entry in the view registry (lib/views/registry.ts); nothing here is per view.
 */
export interface PinnedView {
  run: ReturnType<typeof toRunView>;
  /** Every run whose data the snapshot holds: the share is readable by who may read all of them. */
  runIds: string[];
  queries: ComputedQuery[];
  props?: Record<string, unknown>;
}

export async function pinView(
  db: Db,
  run: RunWithModel,
  view: RecognizedView,
  viewer: Viewer,
  registry: ViewRegistry = appViews,
): Promise<PinnedView> {
  const { problem, answers } = registry.resolve(db, run, view, { viewer, audience: audienceOf(run, viewer) });
  if (problem || !answers)
    throw badRequest(problem?.code ?? "unshareable_path", problem?.message ?? "not a view", "path");
  const others = (await answers.otherRunIds?.()) ?? [];
  const { queries, props } = await computeView(answers, "all");
  return {
    run: JSON.parse(JSON.stringify(toRunView(run, await listCommittedUploads(db, run.id)))),
    runIds: [...new Set([run.id, ...others])],
    queries,
    ...(Object.keys(props).length ? { props } : {}),
  };
}

/**
 * A viewer who sees exactly what every reader of a share of this run may see: anyone, when the run
 * is not private; else its owner (and admins); else (no owner) admins only, the pinner among them.
 */
function audienceOf(run: RunWithModel, pinner: Viewer): Viewer {
  if (pinner.open) return pinner;
  if (run.visibility !== "private") return { open: false, tokenId: null, tokenName: null, admin: false };
  return run.ownerTokenId ? { open: false, tokenId: run.ownerTokenId, tokenName: null, admin: false } : pinner;
}
