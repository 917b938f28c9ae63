import { notFound } from "next/navigation";
import { pageRun, pageViewer } from "@/lib/auth/page-viewer";
import { getDb } from "@/lib/db/client";
import { listCommittedUploads } from "@/lib/db/queries/runs";
import { toRunView } from "@/lib/runs/run-view";
import { computeView } from "./compute-view";
import { views, type ViewKind } from "./registry";

type SearchParams = Record<string, string | string[] | undefined>;

/** Next's searchParams as the URLSearchParams views parse (repeated keys kept in order). */
export function toSearch(params: SearchParams): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) if (x !== undefined) q.append(k, x);
  return q;
}

/**
 * A view's live page, driven by its registry entry: the run (404 when this viewer may not read it,
 * or when the route params do not fit the run), and the answers the entry prefetches, computed for
 * this reader, under the keys the view asks for.
 */
export async function loadLiveView(kind: ViewKind, routeParams: Record<string, string>, searchParams: SearchParams) {
  const requestSearch = toSearch(searchParams);
  const view = views.fromRoute(kind, routeParams, requestSearch);
  if (!view) notFound();
  const db = await getDb();
  const run = await pageRun(view.runId);
  const viewer = await pageViewer();
  const { problem, answers } = views.resolve(db, run, view, { viewer, audience: viewer });
  if (problem || !answers) notFound();
  const { queries, props } = await computeView(answers, "prefetch");
  return { run: toRunView(run, await listCommittedUploads(db, run.id)), queries, props, requestSearch };
}
