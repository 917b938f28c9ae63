import { badRequest } from "@/lib/errors";
import { createShare as share } from "@/lib/api/contracts/system";
import { apiHandler } from "@/lib/api/handler";
import { publicOrigin } from "@/lib/api/request-origin";
import { requireWriter } from "@/lib/auth/viewer";
import { createShare } from "@/lib/db/queries/shares";
import { requireRun } from "@/lib/runs/require-run";
import { pinView } from "@/lib/share/pin-view";
import { parseViewPath } from "@/lib/url/view-path";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

/**
 * Pins a view: recomputes every answer it shows now and stores them, so /s/{id} shows the same
 * picture whatever is uploaded later. Needs read access to the run (and a token once tokens exist).
 */
export const POST = apiHandler(share, async ({ req, body, database, viewer }) => {
  const who = await viewer();
  requireWriter(who);
  const { path } = body;
  const view = parseViewPath(path);
  if (!view)
    throw badRequest(
      "unshareable_path",
      `"${path}" is not a view that can be shared: a view of a run (overview, layer, expert, graph, flow, placement) such as /runs/<id>/layers/0, or /compare?a=<id>&b=<id>`,
      "path",
    );
  const run = await requireRun(database.db, view.runId, who);
  const snapshot = await pinView(database.db, run, view, who);
  const row = await createShare(database.db, {
    path: view.pathname + view.search,
    runId: run.id,
    runIds: snapshot.runIds,
    state: { kind: view.kind, pathname: view.pathname, search: view.search },
    snapshot,
    ownerTokenId: who.tokenId,
  });
  const url = `${publicOrigin(req)}/s/${row.id}`;
  return { id: row.id, url, path: row.path, kind: view.kind, runId: run.id, createdAt: row.createdAt.toISOString() };
});
