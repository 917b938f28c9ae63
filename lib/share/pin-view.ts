import { badRequest } from "@/lib/errors";
import type { Viewer } from "@/lib/auth/viewer";
import type { Db } from "@/lib/db/client";
import { listCommittedUploads, type RunWithModel } from "@/lib/db/queries/runs";
import { compareQuery, expertQuery, expertsQuery, flowQuery, groupsQuery, layerQuery, transitionsQuery } from "@/lib/query/run-queries";
import { placementQuery, simulationQuery } from "@/lib/query/placement-queries";
import { getComparison } from "@/lib/runs/compare-runs";
import { computePlacement, PLACEMENT_STRATEGIES } from "@/lib/runs/compute-placement";
import { getExpertView } from "@/lib/runs/get-expert-view";
import { getExpertsView } from "@/lib/runs/get-experts-view";
import { getFlowView } from "@/lib/runs/get-flow-view";
import { getLayerGroups } from "@/lib/runs/get-layer-groups";
import { getLayerView } from "@/lib/runs/get-layer-view";
import { getRunBalance } from "@/lib/runs/get-run-balance";
import { requireRun } from "@/lib/runs/require-run";
import { runSimulation } from "@/lib/runs/run-simulation";
import { toRunView } from "@/lib/runs/run-view";
import { parseCompareViewState } from "@/lib/url/compare-view-state";
import { parseExpertViewState } from "@/lib/url/expert-view-state";
import { parseFlowViewState } from "@/lib/url/flow-view-state";
import { parseGraphViewState } from "@/lib/url/graph-view-state";
import { parseSpecializationViewState } from "@/lib/url/specialization-view-state";
import { parseLayerViewState } from "@/lib/url/layer-view-state";
import { effectiveLabState, parsePlacementViewState, simulationBody } from "@/lib/url/placement-view-state";
import type { ViewPath } from "@/lib/url/view-path";

/**
 * What a share pins: the run as it was, and every answer the view draws from, under the query
 * keys the view asks for (so the same component renders it from a pre-filled cache), or as props
 * for the server-rendered overview. JSON round trip: exactly what the API would have sent.
 */
export interface PinnedView {
  run: ReturnType<typeof toRunView>;
  /** Every run whose data the snapshot holds: the share is readable by who may read all of them. */
  runIds: string[];
  queries: { key: readonly unknown[]; data: unknown }[];
  props?: Record<string, unknown>;
}

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x));

export async function pinView(db: Db, run: RunWithModel, view: ViewPath, viewer: Viewer): Promise<PinnedView> {
  const search = new URLSearchParams(view.search);
  const base = { run: json(toRunView(run, await listCommittedUploads(db, run.id))), runIds: [run.id] };
  const cfg = run.model.config;
  switch (view.kind) {
    case "overview":
      return { ...base, queries: [], props: { balance: json(await getRunBalance(db, run)) } };
    case "layer": {
      if (view.layer >= cfg.layers) throw badRequest("invalid_layer", `layer ${view.layer} is outside this run's ${cfg.layers} MoE layers`, "path");
      const { norm, order } = parseLayerViewState(search);
      const queries: PinnedView["queries"] = [{ key: layerQuery(run.id, view.layer, norm).queryKey, data: json(await getLayerView(db, run, view.layer, norm)) }];
      if (order === "group") queries.push({ key: groupsQuery(run.id, view.layer).queryKey, data: json(await getLayerGroups(db, run, view.layer)) });
      return { ...base, queries };
    }
    case "expert": {
      if (view.expert >= cfg.experts) throw badRequest("invalid_expert", `expert ${view.expert} is outside this run's ${cfg.experts} experts`, "path");
      const { topT } = parseExpertViewState(search);
      // The stored results it lists are those the share's readers may all see, not the pinner's own.
      const data = json(await getExpertView(db, run, view.expert, topT, audienceOf(run, viewer)));
      return { ...base, queries: [{ key: expertQuery(run.id, view.expert, topT).queryKey, data }] };
    }
    case "graph": {
      const layer = Math.min(parseGraphViewState(search).layer, cfg.layers - 1);
      return {
        ...base,
        queries: [
          { key: layerQuery(run.id, layer, "lift").queryKey, data: json(await getLayerView(db, run, layer, "lift")) },
          { key: expertsQuery(run.id, layer, 3).queryKey, data: json(await getExpertsView(db, run, layer, 3)) },
          { key: groupsQuery(run.id, layer).queryKey, data: json(await getLayerGroups(db, run, layer)) },
        ],
      };
    }
    case "specialization": {
      const layer = Math.min(parseSpecializationViewState(search).layer, cfg.layers - 1);
      return { ...base, queries: [{ key: expertsQuery(run.id, layer, 3).queryKey, data: json(await getExpertsView(db, run, layer, 3)) }] };
    }
    case "flow": {
      const layer = Math.min(parseFlowViewState(search).layer, Math.max(0, cfg.layers - 2));
      return {
        ...base,
        queries: [
          { key: flowQuery(run.id).queryKey, data: json(await getFlowView(db, run)) },
          { key: transitionsQuery(run.id, layer).queryKey, data: json(await getLayerView(db, run, layer, undefined, { transitions: true })) },
        ],
      };
    }
    case "compare": {
      const state = parseCompareViewState(search);
      const b = await requireRun(db, state.b!, viewer, "path (b)");
      const data = json(await getComparison(db, run, b, { layer: state.layer, paired: state.paired }));
      return { ...base, runIds: [...new Set([run.id, b.id])], queries: [{ key: compareQuery(run.id, b.id, state.layer, state.paired).queryKey, data }] };
    }
    case "placement": {
      const state = effectiveLabState(parsePlacementViewState(search), cfg.experts, cfg.layers);
      const queries: PinnedView["queries"] = [];
      for (const s of PLACEMENT_STRATEGIES) {
        const q = placementQuery(run.id, state.devices, s, state.maxImbalance);
        queries.push({ key: q.queryKey, data: json(await computePlacement(db, run, state.devices, s, s === "optimized" ? state.maxImbalance : undefined)) });
      }
      const body = simulationBody(state, cfg.layers, state.devices);
      if (body) {
        const from = body.kind === "c2r" && body.collaboratorsFrom ? await requireRun(db, body.collaboratorsFrom, viewer, "path (from)") : undefined;
        if (from && from.id !== run.id) base.runIds.push(from.id);
        const req = body.kind === "c2r" ? { kind: "c2r" as const, topT: body.topT, collaboratorsFrom: from } : body;
        queries.push({ key: simulationQuery(run.id, body).queryKey, data: json(await runSimulation(db, run, req, state.devices)) });
      }
      return { ...base, queries };
    }
  }
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
